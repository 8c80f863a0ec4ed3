import NTStorage
import NTSystem

/// Accounts, browser sessions and API tokens in the appliance database (schemas: `Schema.auth`, `Schema.accounts`).
///
/// Each process that needs it (the web worker, the `passwd`, `user` and `token` commands) opens its own
/// connection; SQLite serializes the writers, so a password changed on the command line ends that account's browser
/// sessions at once. Secrets never reach the database: only their SHA-256 (``Secrets/storedHash(of:)``) and the
/// passwords' bcrypt hashes.
/// Times are Unix seconds supplied by the caller, so tests control the clock.
public actor AuthStore {
    let database: any DatabaseConnection
    /// Where the actor runs: on PostgreSQL a thread of its own, since every call waits a network round trip
    /// (``BlockingExecutor``); on SQLite the cooperative pool (a call takes microseconds of CPU).
    private let blocking: BlockingExecutor?
    private let pool = PoolExecutorHolder()
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        blocking?.asUnownedSerialExecutor() ?? pool.unownedExecutor
    }
    /// A session's last-seen time is written at most this often (seconds), not on every request.
    static let touchInterval = 60.0

    /// Opens the database at `path` (migrated by the supervisor or the command before this).
    public init(path: String) throws {
        database = try SQLiteDatabase(path: path)
        blocking = nil
    }

    /// A store on a new connection to `location` (migrated before this).
    public init(location: DatabaseLocation, applicationName: String) throws {
        database = try location.open(applicationName: applicationName)
        blocking = database.engine == .postgres ? BlockingExecutor() : nil
    }

    /// A store on `connection` (migrated before this); for PostgreSQL, a `PostgresDatabase`.
    public init(connection: any DatabaseConnection) {
        database = connection
        blocking = connection.engine == .postgres ? BlockingExecutor() : nil
    }

    // MARK: the owner's password

    /// The bcrypt hash of the owner's password (set with `neural-terminal passwd`), or nil when none is set.
    public func storedPasswordHash() throws -> String? {
        try storedPasswordHash(accountID: Account.ownerID)
    }

    /// Stores a new hash of the owner's password and ends the owner's browser sessions; returns how many ended.
    @discardableResult
    public func setPasswordHash(_ hash: String, now: Double) throws -> Int {
        try setPassword(accountID: Account.ownerID, hash: hash, now: now)
    }

    // MARK: sessions

    /// Opens a session for `account` after a successful login under `passwordHash`; returns the secret for the
    /// cookie. Expired sessions are swept on the way.
    public func openSession(account: Account, passwordHash: String, clientIP: String, userAgent: String, policy: SessionPolicy, now: Double) throws -> String {
        let secret = Secrets.randomText(bytes: 32)
        try sweepSessions(policy: policy, now: now)
        let insert = try database.prepare("""
            INSERT INTO auth_sessions (id_hash, password_fingerprint, created_at, last_seen_at, client_ip, user_agent, user_id)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        insert.bind(1, Secrets.storedHash(of: secret))
        insert.bind(2, Password.fingerprint(ofHash: passwordHash))
        insert.bind(3, now)
        insert.bind(4, now)
        insert.bind(5, String(clientIP.prefix(64)))
        insert.bind(6, String(userAgent.prefix(256)))
        insert.bind(7, account.id)
        _ = try insert.step()
        return secret
    }

    /// The live session `secret` names, or nil when there is none, it is past its idle or absolute limit, its
    /// account is disabled, or it was opened under another password than the account's current one (the owner's
    /// is `ownerPasswordHash` when the configuration sets it). A session found dead is deleted.
    public func session(secret: String, ownerPasswordHash: String?, policy: SessionPolicy, now: Double) throws -> AuthSession? {
        let idHash = Secrets.storedHash(of: secret)
        let select = try database.cachedStatement("""
            SELECT s.password_fingerprint, s.created_at, s.last_seen_at, u.password_hash, \(Self.accountColumns("u"))
            FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?
            """)
        defer { database.resetCachedStatements() }
        select.bind(1, idHash)
        guard try select.step() else {
            try delete(idHash: idHash)
            return nil
        }
        let fingerprint = select.string(0) ?? ""
        let account = Self.account(from: select, at: 4)
        let stored = select.string(3)
        let session = AuthSession(idHash: idHash, createdAt: select.double(1), lastSeenAt: select.double(2), account: account)
        select.reset()
        let hash = account.isOwner ? (ownerPasswordHash ?? stored) : stored
        let alive = !account.isDisabled && hash.map { ConstantTime.equals(fingerprint, Password.fingerprint(ofHash: $0)) } == true
            && now < session.expiresAt(policy)
        guard alive else {
            try delete(idHash: idHash)
            return nil
        }
        // Written at most once a minute, and at least four times per idle period (a 1-minute idle limit must not
        // end an active session); best effort: a busy database must not turn a valid session into an error.
        guard now - session.lastSeenAt >= min(Self.touchInterval, policy.idleSeconds / 4) else { return session }
        guard let touch = try? database.cachedStatement("UPDATE auth_sessions SET last_seen_at = ? WHERE id_hash = ?") else { return session }
        touch.bind(1, now)
        touch.bind(2, idHash)
        guard (try? touch.step()) != nil else { return session }
        return AuthSession(idHash: idHash, createdAt: session.createdAt, lastSeenAt: now, account: account)
    }

    /// Ends the session `secret` names (logout); false when there was none.
    @discardableResult
    public func closeSession(secret: String) throws -> Bool {
        try delete(idHash: Secrets.storedHash(of: secret))
        return database.changes > 0
    }

    /// Ends every browser session; returns how many there were.
    @discardableResult
    public func closeAllSessions() throws -> Int {
        try database.execute("DELETE FROM auth_sessions")
        return database.changes
    }

    /// Sessions not yet swept (live ones and expired ones nobody presented since).
    public func sessionCount() throws -> Int {
        try database.scalarInt("SELECT COUNT(*) FROM auth_sessions") ?? 0
    }

    func sweepSessions(policy: SessionPolicy, now: Double) throws {
        let sweep = try database.prepare("DELETE FROM auth_sessions WHERE created_at <= ? OR last_seen_at <= ?")
        sweep.bind(1, now - policy.absoluteSeconds)
        sweep.bind(2, now - policy.idleSeconds)
        _ = try sweep.step()
    }

    private func delete(idHash: String) throws {
        let delete = try database.prepare("DELETE FROM auth_sessions WHERE id_hash = ?")
        delete.bind(1, idHash)
        _ = try delete.step()
    }
}
