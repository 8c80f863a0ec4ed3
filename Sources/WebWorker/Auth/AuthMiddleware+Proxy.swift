import HTTPTypes
import Hummingbird
import NTAuth
import NTConfig
import NTHTTP

/// `auth.mode = "proxy"`: single sign-on through a trusted reverse proxy (oauth2-proxy, Authelia, Authentik, nginx
/// `auth_request`, Caddy `forward_auth`, Tailscale serve) that names the signed-in person in `auth.proxy_user_header`.
///
/// The header is believed only when the TCP peer itself (`context.peerIP`, never `X-Forwarded-For`, which any
/// client can write) is in `server.trusted_proxies`; from anyone else it is ignored, logged, and the request is
/// refused. Its value names an account by the account name rules; an unknown name is refused unless
/// `auth.proxy_create_accounts` makes it a member on first sight. Browser sessions are not accepted in this mode
/// (they would let a cookie from an earlier `password` mode bypass the proxy); API tokens are, being credentials
/// of their own.
extension AuthMiddleware {
    /// The account the proxy names for this request; throws the refusal (401 or 403, with a sentence) otherwise.
    func proxiedAccount(_ request: Request, _ context: Context) async throws -> Account {
        let auth = gate.config.current.auth
        let headerName = auth.proxyUserHeader
        guard let field = HTTPField.Name(headerName) else {
            throw APIError(.internalServerError, code: "proxy_header_invalid", message: "auth.proxy_user_header is not a header name")
        }
        let values = request.headers[values: field]
        let peer = ClientAddress.canonical(context.peerIP)
        guard let peer, gate.config.current.trustedProxies.contains(peer) else {
            if !values.isEmpty {
                refuse(request, context, "proxy_header_untrusted_peer", ["header": "\(headerName)", "peer_ip": "\(context.peerIP)"])
            }
            throw APIError(.unauthorized, code: "unauthenticated", message: "sign in through the proxy in front of this appliance "
                + "(it takes who you are only from that proxy), or send an API token as Authorization: Bearer")
        }
        guard values.count == 1, let name = values.first else {
            refuse(request, context, values.isEmpty ? "proxy_named_nobody" : "proxy_header_repeated", ["header": "\(headerName)"])
            throw APIError(.unauthorized, code: "unauthenticated", message: values.isEmpty
                ? "the proxy did not say who you are (no \(headerName) header): sign in through the proxy"
                : "the proxy sent \(headerName) \(values.count) times; it must send it once, replacing what the client sent")
        }
        if let problem = AccountName.problem(with: name) {
            refuse(request, context, "proxy_user_invalid", ["header": "\(headerName)", "user": "\(name.prefix(80))"])
            throw APIError(.unauthorized, code: "invalid_user_name", message:
                "the proxy names you '\(name.prefix(80))' in \(headerName), which is not an account name: it \(problem)")
        }
        guard let account = try await gate.proxyAccount(named: name, create: auth.proxyCreateAccounts) else {
            refuse(request, context, "proxy_user_unknown", ["user": "\(name)"])
            throw APIError(.forbidden, code: "account_unknown", message: "the proxy signed you in as \(name), who has no account here: "
                + "an administrator adds it with `neural-terminal user add \(name) --no-password`")
        }
        guard !account.isDisabled else {
            refuse(request, context, "account_disabled", ["user": "\(account.name)"])
            throw APIError(.forbidden, code: "account_disabled", message: "the account \(account.name) is disabled")
        }
        return account
    }
}

extension AuthGate {
    /// The account named `name` (any case); with `create`, a name seen for the first time becomes a member account
    /// without a password. Two first requests at once both get the one account: the loser of the insert (the name
    /// is unique in the database, whichever process wrote it first) reads the winner's.
    func proxyAccount(named name: String, create: Bool) async throws -> Account? {
        if let account = try await store.account(named: name) { return account }
        guard create else { return nil }
        do {
            let made = try await store.addAccount(name: name, role: .member, passwordHash: nil, now: AuthGate.now)
            logger.notice("account made on first sign-in through the proxy", metadata: ["user": "\(made.name)", "account_id": "\(made.id)"])
            return made
        } catch {
            if let account = try await store.account(named: name) { return account }
            throw error
        }
    }
}
