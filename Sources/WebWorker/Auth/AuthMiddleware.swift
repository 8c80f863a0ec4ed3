import Hummingbird
import Logging
import NTAuth
import NTConfig
import NTHTTP

/// Decides who is asking before any route runs, and refuses what must not get through.
///
/// - `auth.mode = "none"`: the `Host` must be a loopback name (else 421), a browser request from another site is
///   refused (403), the principal is `local` and the account the owner's.
/// - `auth.mode = "password"`: a valid `Authorization: Bearer ntk_…` token (principal `token:<id>`) or session
///   cookie (principal `session:<hash prefix>`; state-changing requests must also come from this appliance's own
///   pages), acting as the account the token or session belongs to. Without either, only ``PublicRoutes`` answer; `/` redirects to `/login` and everything else is 401.
/// - `auth.mode = "proxy"`: a valid API token as above, else the account a trusted reverse proxy names
///   (principal `proxy:<account id>`; see `proxiedAccount`). The header is an ambient credential like a cookie, so
///   state-changing requests must come from this appliance's own pages too. Nothing answers without either.
///
/// Refusals are logged (without secrets) and counted by the access log like any other response.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let gate: AuthGate

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        switch gate.mode {
        case .none:
            guard let host = RequestOrigin.host(of: request), LoopbackHost.contains(host) else {
                refuse(request, context, "host_not_allowed")
                throw APIError(.misdirectedRequest, code: "host_not_allowed", message:
                    "this appliance answers only to localhost, 127.0.0.1 or [::1] while auth.mode is \"none\"; "
                    + "set a password (neural-terminal passwd, auth.mode = \"password\") to reach it under another name")
            }
            if let header = RequestOrigin.proxyHeader(in: request) {
                refuse(request, context, "proxied", ["header": "\(header)"])
                throw APIError(.forbidden, code: "proxied_request", message:
                    "this request came through a proxy (\(header)), which auth.mode \"none\" does not allow: "
                    + "set a password (neural-terminal passwd, auth.mode = \"password\") to serve through a proxy")
            }
            try checkOrigin(request, context, required: false)
            guard let owner = try await gate.store.account(id: Account.ownerID) else {
                throw APIError(.serviceUnavailable, code: "storage_unavailable", message: "the appliance's own account is missing from the database")
            }
            context.principal = "local"
            context.account = RequestAccount(owner)
            return try await next(request, context)
        case .password:
            if let (principal, account) = try await authenticate(request, context) {
                context.principal = principal
                context.account = RequestAccount(account)
                return try await next(request, context)
            }
            if PublicRoutes.contains(request.method, request.uri.path) {
                try checkOrigin(request, context, required: false)
                return try await next(request, context)
            }
            if request.method == .get || request.method == .head, request.uri.path == "/" { return AuthRoutes.redirect(to: "/login") }
            throw APIError(.unauthorized, code: "unauthenticated", message: "log in at /login, or send an API token as Authorization: Bearer")
        case .proxy:
            if BearerToken.presented(in: request.headers) != nil, let (principal, account) = try await authenticate(request, context) {
                context.principal = principal
                context.account = RequestAccount(account)
                return try await next(request, context)
            }
            let account = try await proxiedAccount(request, context)
            try checkOrigin(request, context, required: true)
            context.principal = "proxy:" + account.id
            context.account = RequestAccount(account)
            return try await next(request, context)
        }
    }

    /// The principal and account of a valid token or session, nil when the request carries neither. A token that
    /// is present but not valid (or whose account is disabled) is refused outright (a script should learn at once
    /// that its token was revoked).
    private func authenticate(_ request: Request, _ context: Context) async throws -> (String, Account)? {
        // Only the Bearer scheme is a token attempt: a proxy's own Basic auth passing through must not lock the
        // browser out of its cookie session.
        if let presented = BearerToken.presented(in: request.headers) {
            guard let (token, account) = try await gate.store.validToken(presented, now: AuthGate.now) else {
                refuse(request, context, "invalid_token")
                var error = APIError(.unauthorized, code: "invalid_token", message: "the API token is unknown, revoked or expired")
                error.headers[.wwwAuthenticate] = #"Bearer error="invalid_token""#
                throw error
            }
            return ("token:\(token.id)", account)
        }
        guard let secret = gate.presentedSession(request),
              let session = try await gate.store.session(
                  secret: secret, ownerPasswordHash: gate.configuredOwnerHash, policy: gate.policy, now: AuthGate.now
              )
        else { return nil }
        try checkOrigin(request, context, required: true)
        return ("session:" + session.idHash.prefix(12), session.account)
    }

    /// Refuses a state-changing browser request from another site. With `required`, a cookie-carrying request
    /// must name its origin: every browser this UI supports sends `Origin` on POST, PATCH and DELETE.
    func checkOrigin(_ request: Request, _ context: Context, required: Bool) throws {
        guard !RequestOrigin.isSafe(request.method) else { return }
        switch RequestOrigin.verdict(for: request, publicURL: gate.config.current.server.publicURL) {
        case .sameOrigin:
            return
        case .absent where !required:
            return
        case .absent:
            refuse(request, context, "origin_missing")
            throw APIError(.forbidden, code: "origin_missing", message: gate.mode == .proxy
                ? "a request signed in through the proxy must carry an Origin or Referer header"
                : "a request made with a session cookie must carry an Origin or Referer header")
        case .crossSite(let claimed):
            refuse(request, context, "cross_site", ["origin": "\(claimed)"])
            throw APIError(.forbidden, code: "cross_site", message: "requests from other web sites are refused")
        }
    }

    func refuse(_ request: Request, _ context: Context, _ reason: String, _ extra: Logger.Metadata = [:]) {
        var metadata: Logger.Metadata = [
            "reason": "\(reason)", "method": "\(request.method.rawValue)", "path": "\(request.uri.path)",
            "client_ip": "\(context.clientIP)", "request_id": "\(context.requestID)",
        ]
        if let host = RequestOrigin.host(of: request) { metadata["host"] = "\(host.prefix(200))" }
        metadata.merge(extra) { $1 }
        gate.logger.warning("request refused by authentication", metadata: metadata)
    }
}

/// What answers without a login in `password` mode: the login page and what it loads, and the auth API itself.
enum PublicRoutes {
    /// Assets the login page needs; the terminal's own code stays behind the login.
    static let assets: Set<String> = ["login.js", "app.css", "favicon.svg"]

    static func contains(_ method: HTTPRequest.Method, _ path: String) -> Bool {
        switch (method, path) {
        case (.get, "/login"), (.head, "/login"), (.post, "/api/auth/login"), (.post, "/api/auth/logout"), (.get, "/api/auth/session"):
            return true
        case (.get, _), (.head, _):
            return path.hasPrefix("/assets/") && assets.contains(String(path.dropFirst("/assets/".count)))
        default:
            return false
        }
    }
}
