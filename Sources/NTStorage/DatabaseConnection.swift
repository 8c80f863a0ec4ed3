/// The engines the appliance stores in: SQLite, embedded and the default, or a PostgreSQL server (ADR 0020).
public enum DatabaseEngine: String, Sendable {
    case sqlite
    case postgres
}

/// What the repositories need from a database connection, on either engine.
///
/// SQL is written once, in the dialect both engines share, with SQLite's placeholders (`?`, `?N`); the PostgreSQL
/// connection translates them to `$N`. Where the dialects differ (full-text search, upserts of several columns,
/// time functions), a repository asks ``engine`` and writes each form. A connection is not shared between threads:
/// its owner serialises its use (an actor), and its calls block, so they must not run on an event loop.
public protocol DatabaseConnection: AnyObject, Sendable {
    var engine: DatabaseEngine { get }
    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws(StorageError)
    /// A statement to bind (1-based) and step through.
    func prepare(_ sql: String) throws(StorageError) -> Statement
    /// A statement kept for reuse; the caller calls ``resetCachedStatements()`` when its operation is over.
    func cachedStatement(_ sql: String) throws(StorageError) -> Statement
    /// Ends every read a cached statement holds open.
    func resetCachedStatements()
    /// Runs `body` as one write transaction, rolling back if it throws. Writers are serialised across every
    /// process and instance on the database (SQLite's write lock; a transaction-scoped advisory lock on
    /// PostgreSQL), so a read inside the transaction stays true until it commits.
    func transaction<T>(_ body: () throws -> T) throws -> T
    /// Runs `body` on one consistent snapshot of the database (reads only).
    func readTransaction<T>(_ body: () throws -> T) throws -> T
    /// Rows changed by the last INSERT, UPDATE or DELETE on this connection.
    var changes: Int { get }
}

extension DatabaseConnection {
    /// Runs `body` between `begin` (the engine's `BEGIN …`) and `COMMIT`, rolling back if it throws.
    public func inTransaction<T>(begin: String, _ body: () throws -> T) throws -> T {
        try execute(begin)
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The first column of the first row of `sql`, as an integer, or nil when there is no row.
    public func scalarInt(_ sql: String) throws(StorageError) -> Int? {
        let statement = try prepare(sql)
        return try statement.step() ? statement.int(0) : nil
    }

    /// The current UTC time as SQL, in the text form every timestamp of the schema has (`2026-12-06T10:00:00.000Z`).
    public var nowExpression: String {
        switch engine {
        case .sqlite: "strftime('%Y-%m-%dT%H:%M:%fZ','now')"
        case .postgres: "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        }
    }
}
