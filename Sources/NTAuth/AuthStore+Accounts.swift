import NTStorage
import NTSystem

/// Accounts (schema: `Schema.accounts`): who may sign in, with which role, password and budgets.
///
/// Changes that take someone's access away take effect at once in every worker: a new password or a disabled
/// account deletes that account's browser sessions, and a disabled account's tokens stop validating (both are
/// checked against the `users` row on every request).
extension AuthStore {
    /// The columns ``account(from:at:)`` reads, of the `users` table under the name `table`.
    static func accountColumns(_ table: String = "users") -> String {
        ["id", "name", "role", "password_hash IS NOT NULL", "disabled_at", "daily_budget_usd", "monthly_budget_usd", "created_at"]
            .map { "\(table).\($0)" }.joined(separator: ", ")
    }

    static func account(from row: Statement, at first: Int32 = 0) -> Account {
        Account(
            id: row.string(first) ?? "", name: row.string(first + 1) ?? "",
            role: AccountRole(rawValue: row.string(first + 2) ?? "") ?? .member, hasPassword: row.int(first + 3) != 0,
            disabledAt: row.string(first + 4),
            dailyBudgetUSD: row.isNull(first + 5) ? nil : row.double(first + 5),
            monthlyBudgetUSD: row.isNull(first + 6) ? nil : row.double(first + 6),
            createdAt: row.string(first + 7) ?? ""
        )
    }

    /// Every account, the owner first, then by name.
    public func accounts() throws -> [Account] {
        let select = try database.prepare(
            "SELECT \(Self.accountColumns()) FROM users ORDER BY id <> '\(Account.ownerID)', lower(name)"
        )
        var result: [Account] = []
        while try select.step() { result.append(Self.account(from: select)) }
        return result
    }

    /// The account named `name` (any case), or nil.
    public func account(named name: String) throws -> Account? {
        let select = try database.prepare("SELECT \(Self.accountColumns()) FROM users WHERE lower(name) = lower(?)")
        select.bind(1, name)
        return try select.step() ? Self.account(from: select) : nil
    }

    /// The account with id `id`, or nil.
    public func account(id: String) throws -> Account? {
        // Cached: with `auth.mode = "none"` every request reads the owner's account, and preparing the statement
        // was most of that.
        let select = try database.cachedStatement(Self.accountByID)
        defer { select.reset() }
        select.bind(1, id)
        return try select.step() ? Self.account(from: select) : nil
    }

    private static let accountByID = "SELECT \(accountColumns()) FROM users WHERE id = ?"

    /// The stored bcrypt hash of an account's password, nil when it has none (or does not exist).
    public func storedPasswordHash(accountID: String) throws -> String? {
        let select = try database.prepare("SELECT password_hash FROM users WHERE id = ?")
        select.bind(1, accountID)
        return try select.step() ? select.string(0) : nil
    }

    /// Adds an account; `passwordHash` nil makes one that signs in only through a trusted proxy until a password
    /// is set.
    public func addAccount(name: String, role: AccountRole, passwordHash: String?, now: Double) throws -> Account {
        if let problem = AccountName.problem(with: name) { throw AccountError(.invalidName, "the name \(problem)") }
        if try account(named: name) != nil { throw AccountError(.nameTaken, "an account named \(name) exists already") }
        let id = "u" + Secrets.randomHex(bytes: 8)
        let insert = try database.prepare("""
            INSERT INTO users (id, name, role, password_hash, created_at, updated_at)
            VALUES (?1, ?2, ?3, ?4, \(isoTime(5)), \(isoTime(5)))
            """)
        insert.bind(1, id)
        insert.bind(2, name)
        insert.bind(3, role.rawValue)
        insert.bind(4, passwordHash)
        insert.bind(5, now)
        _ = try insert.step()
        guard let made = try account(id: id) else { throw AccountError(.notFound, "the account \(name) could not be read back") }
        return made
    }

    /// Sets an account's password and ends its browser sessions (other accounts' sessions go on); returns how many
    /// ended.
    @discardableResult
    public func setPassword(accountID: String, hash: String, now: Double) throws -> Int {
        try database.transaction {
            let update = try database.prepare("UPDATE users SET password_hash = ?1, updated_at = \(isoTime(2)) WHERE id = ?3")
            update.bind(1, hash)
            update.bind(2, now)
            update.bind(3, accountID)
            _ = try update.step()
            guard database.changes > 0 else { throw AccountError(.notFound, "no such account") }
            return try closeSessions(accountID: accountID)
        }
    }

    /// Disables (or enables again) an account. Disabling ends its sessions at once and its tokens stop working;
    /// the owner cannot be disabled, nor the last active admin.
    @discardableResult
    public func setDisabled(accountID: String, _ disabled: Bool, now: Double) throws -> Int {
        guard let target = try account(id: accountID) else { throw AccountError(.notFound, "no such account") }
        if disabled, target.isOwner {
            throw AccountError(.ownerProtected, "\(target.name) is the appliance's own account and cannot be disabled")
        }
        if disabled, target.isAdmin, !target.isDisabled, try activeAdminCount() <= 1 {
            throw AccountError(.lastAdmin, "\(target.name) is the last active admin")
        }
        return try database.transaction {
            let update = try database.prepare(disabled
                ? "UPDATE users SET disabled_at = coalesce(disabled_at, \(isoTime(1))), updated_at = \(isoTime(1)) WHERE id = ?2"
                : "UPDATE users SET disabled_at = NULL, updated_at = \(isoTime(1)) WHERE id = ?2")
            update.bind(1, now)
            update.bind(2, accountID)
            _ = try update.step()
            return disabled ? try closeSessions(accountID: accountID) : 0
        }
    }

    /// Makes an account an admin or a member; the owner stays an admin, and an appliance keeps one active admin.
    public func setRole(accountID: String, _ role: AccountRole, now: Double) throws {
        guard let target = try account(id: accountID) else { throw AccountError(.notFound, "no such account") }
        if role == .member, target.isOwner {
            throw AccountError(.ownerProtected, "\(target.name) is the appliance's own account and stays an admin")
        }
        if role == .member, target.isAdmin, !target.isDisabled, try activeAdminCount() <= 1 {
            throw AccountError(.lastAdmin, "\(target.name) is the last active admin")
        }
        let update = try database.prepare("UPDATE users SET role = ?1, updated_at = \(isoTime(2)) WHERE id = ?3")
        update.bind(1, role.rawValue)
        update.bind(2, now)
        update.bind(3, accountID)
        _ = try update.step()
    }

    /// Sets an account's daily and monthly budgets (USD); nil removes a limit.
    public func setBudgets(accountID: String, daily: Double?, monthly: Double?, now: Double) throws {
        let update = try database.prepare(
            "UPDATE users SET daily_budget_usd = ?1, monthly_budget_usd = ?2, updated_at = \(isoTime(3)) WHERE id = ?4"
        )
        update.bind(1, daily)
        update.bind(2, monthly)
        update.bind(3, now)
        update.bind(4, accountID)
        _ = try update.step()
        guard database.changes > 0 else { throw AccountError(.notFound, "no such account") }
    }

    /// Renames an account (its sessions and tokens go on).
    public func rename(accountID: String, to name: String, now: Double) throws {
        if let problem = AccountName.problem(with: name) { throw AccountError(.invalidName, "the name \(problem)") }
        if let holder = try account(named: name), holder.id != accountID {
            throw AccountError(.nameTaken, "an account named \(name) exists already")
        }
        let update = try database.prepare("UPDATE users SET name = ?1, updated_at = \(isoTime(2)) WHERE id = ?3")
        update.bind(1, name)
        update.bind(2, now)
        update.bind(3, accountID)
        _ = try update.step()
        guard database.changes > 0 else { throw AccountError(.notFound, "no such account") }
    }

    func activeAdminCount() throws -> Int {
        try database.scalarInt("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL") ?? 0
    }

    /// Ends every browser session of one account; returns how many ended.
    @discardableResult
    public func closeSessions(accountID: String) throws -> Int {
        let delete = try database.prepare("DELETE FROM auth_sessions WHERE user_id = ?")
        delete.bind(1, accountID)
        _ = try delete.step()
        return database.changes
    }

    /// SQL for parameter `index` (Unix seconds) as an ISO 8601 UTC timestamp with milliseconds.
    func isoTime(_ index: Int) -> String {
        switch database.engine {
        case .sqlite: "strftime('%Y-%m-%dT%H:%M:%fZ', ?\(index), 'unixepoch')"
        case .postgres: "to_char(to_timestamp(?\(index)) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        }
    }
}
