import NTStorage
import NTSystem

/// API tokens: `ntk_<id>_<secret>`, where `<id>` is public (listed, revoked by it) and `<secret>` is 256 random
/// bits stored only as its SHA-256.
extension AuthStore {
    /// The prefix of every token this appliance issues (lets secret scanners and the log redactor spot them).
    public static let tokenPrefix = "ntk_"

    /// Creates a token named `name` that acts as `account`, valid until `expiresAt` (nil = until revoked). The
    /// returned secret is the only copy: show it once.
    public func createToken(account: Account, name: String, expiresAt: Double?, now: Double) throws -> IssuedToken {
        let id = Secrets.randomHex(bytes: 6)
        let secret = Secrets.randomText(bytes: 32)
        let insert = try database.prepare(
            "INSERT INTO api_tokens (id, name, secret_hash, created_at, expires_at, user_id) VALUES (?, ?, ?, ?, ?, ?)"
        )
        insert.bind(1, id)
        insert.bind(2, name)
        insert.bind(3, Secrets.storedHash(of: secret))
        insert.bind(4, now)
        insert.bind(5, expiresAt)
        insert.bind(6, account.id)
        _ = try insert.step()
        let token = APIToken(id: id, name: name, user: account.name, createdAt: now, expiresAt: expiresAt, lastUsedAt: nil, revokedAt: nil)
        return IssuedToken(secret: "\(Self.tokenPrefix)\(id)_\(secret)", token: token)
    }

    /// Every token (of one account when `accountID` is given), newest first, revoked and expired ones included.
    public func tokens(accountID: String? = nil) throws -> [APIToken] {
        let select = try database.prepare("""
            SELECT t.id, t.name, t.created_at, t.expires_at, t.last_used_at, t.revoked_at, coalesce(u.name, t.user_id)
            FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id
            WHERE ?1 IS NULL OR t.user_id = ?1 ORDER BY t.created_at DESC, t.id
            """)
        select.bind(1, accountID)
        var result: [APIToken] = []
        while try select.step() {
            result.append(APIToken(
                id: select.string(0) ?? "", name: select.string(1) ?? "", user: select.string(6) ?? "", createdAt: select.double(2),
                expiresAt: select.isNull(3) ? nil : select.double(3),
                lastUsedAt: select.isNull(4) ? nil : select.double(4),
                revokedAt: select.isNull(5) ? nil : select.double(5)
            ))
        }
        return result
    }

    /// Revokes the token with id `id`; false when no active token has that id.
    @discardableResult
    public func revokeToken(id: String, now: Double) throws -> Bool {
        let update = try database.prepare("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
        update.bind(1, now)
        update.bind(2, id)
        _ = try update.step()
        return database.changes > 0
    }

    /// The active token `presented` (the whole `ntk_…` text) names and the account it acts as, or nil when it is
    /// malformed, unknown, revoked, expired or its account is disabled. Its last-used time is updated (at most once
    /// a minute).
    public func validToken(_ presented: String, now: Double) throws -> (token: APIToken, account: Account)? {
        guard presented.hasPrefix(Self.tokenPrefix) else { return nil }
        let rest = presented.dropFirst(Self.tokenPrefix.count)
        guard let separator = rest.firstIndex(of: "_") else { return nil }
        let id = String(rest[..<separator]), secret = String(rest[rest.index(after: separator)...])
        guard id.count == 12, !secret.isEmpty else { return nil }
        let select = try database.cachedStatement("""
            SELECT t.name, t.secret_hash, t.created_at, t.expires_at, t.last_used_at, t.revoked_at, \(Self.accountColumns("u"))
            FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?
            """)
        defer { database.resetCachedStatements() }
        select.bind(1, id)
        guard try select.step() else { return nil }
        let account = Self.account(from: select, at: 6)
        let token = APIToken(
            id: id, name: select.string(0) ?? "", user: account.name, createdAt: select.double(2),
            expiresAt: select.isNull(3) ? nil : select.double(3),
            lastUsedAt: select.isNull(4) ? nil : select.double(4),
            revokedAt: select.isNull(5) ? nil : select.double(5)
        )
        let matches = ConstantTime.equals(select.string(1) ?? "", Secrets.storedHash(of: secret))
        select.reset()
        guard matches, token.status(at: now) == "active", !account.isDisabled else { return nil }
        if now - (token.lastUsedAt ?? 0) >= Self.touchInterval {
            let touch = try database.cachedStatement("UPDATE api_tokens SET last_used_at = ? WHERE id = ?")
            touch.bind(1, now)
            touch.bind(2, id)
            _ = try touch.step()
        }
        return (token, account)
    }
}
