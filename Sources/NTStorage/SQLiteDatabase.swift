import CSQLite

/// A failed database call, with the engine's own message: SQLite's result code, or PostgreSQL's SQLSTATE.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// SQLite's result code (0 for PostgreSQL).
    public let code: Int32
    public let message: String
    /// PostgreSQL's SQLSTATE, or `"connection"` when the server could not be reached; nil for SQLite.
    public let sqlState: String?

    public var description: String {
        if let sqlState { return sqlState == Self.connectionState ? "postgresql: \(message)" : "postgresql error \(sqlState): \(message)" }
        return "sqlite error \(code): \(message)"
    }

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
        self.sqlState = nil
    }

    public init(sqlState: String, message: String) {
        self.code = 0
        self.message = message
        self.sqlState = sqlState
    }

    /// The ``sqlState`` of an error that never reached a PostgreSQL server (refused, reset, timed out).
    public static let connectionState = "connection"
}

/// One SQLite connection, opened with the settings every process of the appliance uses.
///
/// WAL (readers never block the writer), `busy_timeout` (a second writer waits instead of failing), foreign keys
/// on, `synchronous=NORMAL` (durable across process crashes; WAL makes it safe). A connection is not shared
/// between threads: each owner serialises its use (an actor, or one task).
public final class SQLiteDatabase: DatabaseConnection, @unchecked Sendable {
    let handle: OpaquePointer
    public let path: String
    /// Prepared statements by SQL text, for ``cachedStatement(_:)``.
    var statementCache: [String: Statement] = [:]
    /// The cached statements handed out since the last ``resetCachedStatements()``: the only ones it resets (a
    /// repository method uses one or two of the dozens cached, and resetting all of them was about 1 % of the web
    /// worker's CPU while it started turns).
    var statementsInUse: [Statement] = []
    /// Inside ``groupTransaction(_:)``: ``transaction(_:)`` joins the open transaction instead of beginning one.
    private var grouping = false

    /// Opens the database at `path`, creating it if needed unless `readOnly` or not `create`. A connection opened
    /// with `checkpointOnClose: false` leaves the WAL as it is when it closes, even when it believes it is the last
    /// one: a probe that opens the file by path must not write another file's WAL into it (a file replaced under
    /// the running appliance is not locked by the appliance's connections, which hold the old one).
    public init(path: String, readOnly: Bool = false, create: Bool = true, busyTimeoutMs: Int32 = 5000,
                checkpointOnClose: Bool = true) throws(StorageError) {
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0))
            | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(db)
            throw StorageError(code: rc, message: "\(path): \(message)")
        }
        self.handle = db
        self.path = path
        if !checkpointOnClose { _ = nt_sqlite3_no_checkpoint_on_close(db) }
        sqlite3_busy_timeout(db, busyTimeoutMs)
        try execute("PRAGMA foreign_keys = ON")
        if !readOnly {
            try execute("PRAGMA journal_mode = WAL")
            try execute("PRAGMA synchronous = NORMAL")
        }
    }

    deinit {
        // Every statement is finalized before the close, so the connection closes (and checkpoints) here.
        statementsInUse.removeAll()
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws(StorageError) {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        guard rc == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            throw StorageError(code: rc, message: message)
        }
    }

    /// Prepares a statement; bind and step it through ``Statement``.
    public func prepare(_ sql: String) throws(StorageError) -> Statement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw lastError(rc) }
        return Statement(sqlite: statement, database: self)
    }

    public var engine: DatabaseEngine { .sqlite }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws. Inside ``groupTransaction(_:)``
    /// it is part of the group's transaction instead.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if grouping { return try body() }
        return try inTransaction(begin: "BEGIN IMMEDIATE", body)
    }

    /// Runs several writes as one transaction (group commit): `body` runs them one after another, and each
    /// ``transaction(_:)`` they begin is part of this one. A commit writes each changed page to the WAL once, and
    /// the full-text index one segment, however many writes share it, so writes queued together cost much less
    /// than one commit each. All or nothing: if `body` throws, everything is rolled back; there are no savepoints
    /// per write (FTS5 writes its pending segment at every savepoint, which costs what the group saves), so a
    /// caller that must keep the other writes runs each again on its own.
    public func groupTransaction(_ body: () throws -> Void) throws {
        precondition(!grouping, "group transactions do not nest")
        grouping = true
        defer { grouping = false }
        try inTransaction(begin: "BEGIN IMMEDIATE", body)
    }

    /// Runs `body` inside `BEGIN … COMMIT` (deferred: a read snapshot from the first read on).
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try inTransaction(begin: "BEGIN", body)
    }

    func lastError(_ rc: Int32) -> StorageError {
        StorageError(code: rc, message: String(cString: sqlite3_errmsg(handle)))
    }

    /// The SQLite library version linked into the binary.
    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }
}

extension SQLiteDatabase {
    /// Rows changed by the last INSERT, UPDATE or DELETE on this connection.
    public var changes: Int { Int(sqlite3_changes(handle)) }
}

extension SQLiteDatabase {
    /// A prepared statement kept for reuse, reset and with its bindings cleared (preparing costs more than
    /// running a small statement).
    ///
    /// The caller must call ``resetCachedStatements()`` when its operation is over (a `defer` at the top of each
    /// repository method), so no half-read SELECT keeps a read snapshot open between operations. Do not use the
    /// same SQL twice at once.
    public func cachedStatement(_ sql: String) throws(StorageError) -> Statement {
        if let cached = statementCache[sql] {
            cached.reset()
            markInUse(cached)
            return cached
        }
        let statement = try prepare(sql)
        statementCache[sql] = statement
        markInUse(statement)
        return statement
    }

    private func markInUse(_ statement: Statement) {
        guard !statement.awaitingReset else { return }
        statement.awaitingReset = true
        statementsInUse.append(statement)
    }

    /// Resets every cached statement handed out since the last call, ending any read they hold open.
    public func resetCachedStatements() {
        for statement in statementsInUse {
            statement.reset()
            statement.awaitingReset = false
        }
        statementsInUse.removeAll(keepingCapacity: true)
    }
}
