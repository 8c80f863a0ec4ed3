import FoundationEssentials
import Hummingbird
import NIOPosix
import NTAuth
import NTConfig
import NTHTTP
import NTStorage

/// `/login` and the auth API: log in (password → session cookie), log out, and what the UI needs to know about
/// the current session. Tokens are managed on the host (`neural-terminal token`), not over HTTP.
struct AuthRoutes {
    let gate: AuthGate

    struct LoginBody: Decodable {
        /// The account's name; absent or empty means the owner's account.
        let name: String?
        let password: String
    }

    struct SessionState: Encodable {
        let mode: String
        let authenticated: Bool
        /// `session`, `token`, `proxy` or `local` when authenticated.
        let via: String?
        let passwordSet: Bool?
        /// Who is logged in, when someone is.
        let user: SessionUser?

        enum CodingKeys: String, CodingKey {
            case mode, authenticated, via, user
            case passwordSet = "password_set"
        }
    }

    struct SessionUser: Encodable {
        let name: String
        let role: String

        init?(_ account: RequestAccount?) {
            guard let account else { return nil }
            name = account.name
            role = account.isAdmin ? "admin" : "member"
        }
    }

    /// A hash no password matches, checked when a login names no usable account, so that such a login costs the
    /// same bcrypt time as a wrong password and does not tell which names exist.
    static let decoyHash = Password.hash(Secrets.randomText(bytes: 16))

    /// The login page; someone already in (or any visitor while `auth.mode` is `none` or `proxy`, where the
    /// appliance has no login of its own) goes to the terminal.
    func addLoginPage(to router: Router<AppRequestContext>, assets: AssetRoutes.Source) {
        router.get("/login") { request, context in
            if gate.mode != .password || context.principal != nil { return Self.redirect(to: "/") }
            return try AssetRoutes.response(for: "login.html", request: request, source: assets)
        }
    }

    /// `/api/auth/…`.
    func add(to table: RouteTable) {
        table.add(.post, "/api/auth/login") { request, context in try await login(request, context) }
        table.add(.post, "/api/auth/logout") { request, _ in
            if let secret = gate.presentedSession(request) { try await gate.store.closeSession(secret: secret) }
            var response = Response(status: .noContent)
            response.setCookie(gate.clearingCookie)
            return response
        }
        table.add(.get, "/api/auth/session") { _, context in
            let mode = gate.mode
            let passwordSet = mode == .password ? (try await gate.passwordHash()) != nil : nil
            let via = context.principal.map { String($0.prefix { $0 != ":" }) }
            return JSONBody.response(SessionState(
                mode: mode.rawValue, authenticated: context.principal != nil, via: via, passwordSet: passwordSet,
                user: SessionUser(context.account)
            ))
        }
    }

    private func login(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        switch gate.mode {
        case .password: break
        case .none:
            throw APIError(.conflict, code: "auth_disabled", message: "auth.mode is \"none\": there is no password to log in with")
        case .proxy:
            throw APIError(.conflict, code: "auth_by_proxy", message:
                "auth.mode is \"proxy\": people sign in through the proxy in front of this appliance, not with a password here")
        }
        guard let body = try await request.decodeIfPresent(as: LoginBody.self, context: context) else {
            throw APIError(.badRequest, code: "invalid_request", message: "send {\"name\": \"…\", \"password\": \"…\"} (name optional for the appliance's own account)")
        }
        let account = try await gate.loginAccount(named: body.name)
        if account?.isOwner == true, try await gate.passwordHash() == nil {
            throw APIError(.serviceUnavailable, code: "no_password", message:
                "no password is set: run `neural-terminal passwd` on the host (in a container: docker compose exec neural-terminal neural-terminal passwd)")
        }
        // One throttle entry per client: an IPv4 address, or an IPv6 /64.
        let client = ClientAddress.limitKey(context.clientIP)
        if case .refused(let retryAfter, let lockedOut) = try await admit(client: client, context) {
            let seconds = max(1, Int((Double(retryAfter.components.seconds) + Double(retryAfter.components.attoseconds) / 1e18).rounded(.up)))
            gate.logger.warning(lockedOut ? "login refused: locked out after repeated failures" : "login refused: too soon after a failure", metadata: [
                "client_ip": "\(client)", "retry_after_seconds": "\(seconds)", "request_id": "\(context.requestID)",
            ])
            var error = APIError(.tooManyRequests, code: lockedOut ? "login_locked" : "login_throttled", message: lockedOut
                ? "too many failed logins from this address; locked out for \(seconds) s"
                : "wait \(seconds) s before the next attempt")
            error.headers[.retryAfter] = String(seconds)
            throw error
        }
        // At most two checks run at once; the others wait their turn, the best standing first (LoginQueue).
        let standing = await throttleNote("standing") { try await gate.throttle.standing(client: client) } ?? 0
        guard await gate.verifications.acquire(standing: standing) else {
            await throttleNote("abandon") { try await gate.throttle.abandon(client: client) }
            gate.logger.warning("login refused: too many logins waiting", metadata: ["client_ip": "\(client)", "request_id": "\(context.requestID)"])
            var error = APIError(.tooManyRequests, code: "login_busy", message: "too many logins are being checked; try again in a few seconds")
            error.headers[.retryAfter] = "2"
            throw error
        }
        defer { gate.verifications.release() }
        let password = body.password
        // An unknown name, a disabled account or one without a password is checked against a decoy hash: the same
        // bcrypt time as a wrong password, the same answer.
        let usable = account.flatMap { $0.isDisabled ? nil : $0 }
        var usableHash: String?
        if let usable { usableHash = try await gate.passwordHash(of: usable) }
        let hash = usableHash ?? Self.decoyHash
        // bcrypt takes a quarter of a second of CPU on purpose: off the request's task, on NIO's blocking pool.
        // Every admitted attempt reports its outcome, even when the pool is gone (the throttle holds the client
        // until it does).
        let verified = (try? await NIOThreadPool.singleton.runIfActive { Password.verify(password, hash: hash) }) ?? false
        guard verified, let account = usable, usableHash != nil else {
            await throttleNote("failure") { try await gate.throttle.recordFailure(client: client) }
            gate.logger.warning("login failed: wrong name or password", metadata: [
                "client_ip": "\(context.clientIP)", "request_id": "\(context.requestID)",
                "reason": "\(Self.failure(account: account, hasHash: usableHash != nil))",
            ])
            throw APIError(.unauthorized, code: "invalid_password", message: body.name?.isEmpty == false ? "wrong name or password" : "wrong password")
        }
        await throttleNote("success") { try await gate.throttle.recordSuccess(client: client) }
        let userAgent = request.headers[.userAgent] ?? ""
        let secret = try await gate.store.openSession(
            account: account, passwordHash: hash, clientIP: context.clientIP, userAgent: userAgent, policy: gate.policy, now: AuthGate.now
        )
        gate.logger.notice("login", metadata: ["client_ip": "\(context.clientIP)", "request_id": "\(context.requestID)", "user": "\(account.name)"])
        var response = JSONBody.response(SessionState(
            mode: "password", authenticated: true, via: "session", passwordSet: true, user: SessionUser(RequestAccount(account))
        ))
        response.setCookie(gate.sessionCookie(secret))
        return response
    }

    /// The throttle's verdict on `client`. A throttle that cannot be read (its database unreachable) refuses the
    /// attempt with 503 `storage_unavailable` before any password is checked: closed, never unthrottled.
    private func admit(client: String, _ context: AppRequestContext) async throws -> LoginAdmission {
        do {
            return try await gate.throttle.admit(client: client)
        } catch {
            gate.logger.error("login refused: the login throttle cannot be read", metadata: [
                "client_ip": "\(client)", "error": "\(error)", "request_id": "\(context.requestID)",
            ])
            var refusal = APIError(.serviceUnavailable, code: "storage_unavailable", message:
                "\(StorageFault.unavailable.reason), so failed logins cannot be counted: no password was checked, try again in a few seconds")
            refusal.headers[.retryAfter] = "5"
            throw refusal
        }
    }

    /// Runs one of the throttle's updates after an admitted attempt; one that fails is logged and left: the
    /// attempt still counts as in flight, which blocks the client's next one for `attemptTimeout`.
    @discardableResult
    private func throttleNote<T>(_ what: String, _ update: () async throws -> T) async -> T? {
        do {
            return try await update()
        } catch {
            gate.logger.error("the login throttle could not be updated", metadata: ["update": "\(what)", "error": "\(error)"])
            return nil
        }
    }

    /// Why a login failed, for the log only (the client is told the same thing in every case).
    static func failure(account: Account?, hasHash: Bool) -> String {
        guard let account else { return "unknown name" }
        if account.isDisabled { return "account disabled" }
        return hasHash ? "wrong password" : "no password set"
    }

    static func redirect(to location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }
}
