import FoundationEssentials
import Hummingbird
import Logging
import NTAuth
import NTConfig
import NTHTTP
import NTWorkerKit

/// What the web worker's authentication reads on every request: the mode, the password hash in effect, the
/// session policy and cookie settings — each from the current configuration, so a SIGHUP applies at once.
struct AuthGate: Sendable {
    let store: AuthStore
    let config: ConfigStore
    let logger: Logger
    /// Login attempts per client address: growing delays, then a lockout (`[limits]`); shared by the appliances on
    /// a PostgreSQL database, in this process's memory on SQLite.
    let throttle: LoginThrottleStore
    /// Password checks: two at a time (bcrypt is CPU by design, so a flood of logins from many addresses must not
    /// occupy every core), the rest waiting briefly in order of standing, so a flood cannot lock the owner out.
    let verifications = LoginQueue(slots: 2)

    /// `throttle` defaults to the store the configured database calls for (``LoginThrottleStore/init(config:)``).
    init(store: AuthStore, config: ConfigStore, logger: Logger, throttle: LoginThrottleStore? = nil) {
        self.store = store
        self.config = config
        self.logger = logger
        self.throttle = throttle ?? LoginThrottleStore(config: config)
    }

    var mode: AuthMode { config.current.authMode }

    var policy: SessionPolicy {
        let auth = config.current.auth
        return SessionPolicy(idleSeconds: auth.sessionIdleMinutes * 60, absoluteSeconds: auth.sessionMaxHours * 3600)
    }

    /// The owner's password hash in effect: `auth.password_hash` when set, else the one `neural-terminal passwd`
    /// stored; nil when there is none (the owner cannot log in until one is set).
    func passwordHash() async throws -> String? {
        if let configured = configuredOwnerHash { return configured }
        return try await store.storedPasswordHash()
    }

    /// `auth.password_hash`, which wins over the owner's stored password (for configuration management).
    var configuredOwnerHash: String? {
        let configured = config.current.auth.passwordHash
        return configured.isEmpty ? nil : configured
    }

    /// The password hash `account` logs in with: the owner's may come from the configuration.
    func passwordHash(of account: Account) async throws -> String? {
        if account.isOwner, let configured = configuredOwnerHash { return configured }
        return try await store.storedPasswordHash(accountID: account.id)
    }

    /// The account a login names: `name` (any case), or the owner when the login gives none — so with a single
    /// account nobody has to type a name.
    func loginAccount(named name: String?) async throws -> Account? {
        let trimmed = String((name ?? "").drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        return trimmed.isEmpty ? try await store.account(id: Account.ownerID) : try await store.account(named: trimmed)
    }

    /// Cookies are `Secure` (and named with the `__Host-` prefix, which pins them to this host and path `/`) when
    /// browsers reach the appliance over https, as `server.public_url` says.
    var secureCookies: Bool { config.current.server.publicURL.lowercased().hasPrefix("https://") }

    var cookieName: String { secureCookies ? "__Host-nt_session" : "nt_session" }

    /// The session secret the browser presented, under either cookie name (public_url may have changed).
    func presentedSession(_ request: Request) -> String? {
        let cookies = request.cookies
        for name in [cookieName, "__Host-nt_session", "nt_session"] {
            if let value = cookies[name]?.value, !value.isEmpty { return value }
        }
        return nil
    }

    /// The session cookie for `secret`, living as long as the session can at most.
    func sessionCookie(_ secret: String) -> Cookie {
        Cookie(
            name: cookieName, value: secret, maxAge: Int(policy.absoluteSeconds), path: "/",
            secure: secureCookies, httpOnly: true, sameSite: .strict
        )
    }

    /// A cookie that makes the browser forget its session.
    var clearingCookie: Cookie {
        Cookie(name: cookieName, value: "", maxAge: 0, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict)
    }

    static var now: Double { Date().timeIntervalSince1970 }
}

extension RequestAccount {
    init(_ account: Account) {
        self.init(
            id: account.id, name: account.name, isAdmin: account.isAdmin,
            dailyBudgetUSD: account.dailyBudgetUSD, monthlyBudgetUSD: account.monthlyBudgetUSD
        )
    }
}
