/// How long a browser session lives: it ends after `idleSeconds` without a request, and `absoluteSeconds` after
/// login whatever happens.
public struct SessionPolicy: Sendable, Equatable {
    public var idleSeconds: Double
    public var absoluteSeconds: Double

    public init(idleSeconds: Double, absoluteSeconds: Double) {
        self.idleSeconds = idleSeconds
        self.absoluteSeconds = absoluteSeconds
    }
}

/// A valid browser session, as the store found it.
public struct AuthSession: Sendable, Equatable {
    /// The stored hash of the session id; its first characters name the session in logs and rate limits.
    public let idHash: String
    public let createdAt: Double
    public let lastSeenAt: Double
    /// Whose session it is.
    public let account: Account

    /// When the session ends at the latest (Unix seconds), given `policy`.
    public func expiresAt(_ policy: SessionPolicy) -> Double {
        min(createdAt + policy.absoluteSeconds, lastSeenAt + policy.idleSeconds)
    }
}

/// An API token for scripts, without its secret (which exists only in the output of `token create`).
public struct APIToken: Sendable, Equatable, Codable {
    /// The public id: the `<id>` in `ntk_<id>_<secret>`, used by `token revoke` and in logs.
    public let id: String
    public let name: String
    /// The name of the account the token acts as.
    public let user: String
    public let createdAt: Double
    public let expiresAt: Double?
    public let lastUsedAt: Double?
    public let revokedAt: Double?

    /// `active`, `revoked` or `expired` at `now`.
    public func status(at now: Double) -> String {
        if revokedAt != nil { return "revoked" }
        if let expiresAt, expiresAt <= now { return "expired" }
        return "active"
    }

    enum CodingKeys: String, CodingKey {
        case id, name, user
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case lastUsedAt = "last_used_at"
        case revokedAt = "revoked_at"
    }
}

/// A token as `token create` hands it out: the text to give a script, shown once, and its record.
public struct IssuedToken: Sendable {
    public let secret: String
    public let token: APIToken
}
