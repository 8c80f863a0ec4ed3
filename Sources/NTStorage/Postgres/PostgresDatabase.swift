import NTPostgres

/// One PostgreSQL connection behind ``DatabaseConnection``: the repositories' SQL, translated to `$N` placeholders,
/// with PostgreSQL's errors as ``StorageError``s whose ``StorageFault`` the API answers with.
///
/// Write transactions take a transaction-scoped advisory lock first (``writerLockKey``): one writer at a time on the
/// whole database, across processes and instances, as SQLite's write lock gives. A read followed by a write in
/// one transaction (a budget check and its reservation, a tree check and the insert) stays true until the
/// commit, whichever instance runs it. Reads and single statements outside a transaction take no lock.
public final class PostgresDatabase: DatabaseConnection, @unchecked Sendable {
    let connection: PostgresConnection
    private var translated: [String: String] = [:]
    private var lastChanges = 0

    /// The key of the advisory lock every write transaction holds: "NTW1" as an integer.
    public static let writerLockKey = 0x4E54_5731

    public var engine: DatabaseEngine { .postgres }

    /// Connects to `url` with `password` (from a file or the environment, never the URL); `applicationName` shows
    /// in `pg_stat_activity` (e.g. "neural-terminal web").
    public init(url: PostgresURL, password: String?, applicationName: String) throws(StorageError) {
        do {
            connection = try PostgresConnection(parameters: url.parameters(password: password, applicationName: applicationName))
        } catch {
            throw Self.storageError(error)
        }
    }

    public func execute(_ sql: String) throws(StorageError) {
        do { noteChanges(try connection.execute(sql)) } catch { throw Self.storageError(error) }
    }

    public func prepare(_ sql: String) throws(StorageError) -> Statement {
        Statement(postgres: self, sql: placeholders(sql))
    }

    public func cachedStatement(_ sql: String) throws(StorageError) -> Statement {
        try prepare(sql)
    }

    /// Nothing to do: a statement's rows are fetched whole when it runs, so no read stays open.
    public func resetCachedStatements() {}

    /// As SQLite's `sqlite3_changes`: the rows the last INSERT, UPDATE or DELETE changed, whatever ran since (a
    /// SELECT or `BEGIN` leaves it).
    public var changes: Int { lastChanges }

    private func noteChanges(_ result: PostgresResult) {
        if let changed = result.changedRows { lastChanges = changed }
    }

    public func transaction<T>(_ body: () throws -> T) throws -> T {
        // One round trip for both: the simple-query protocol runs the two statements of one message in order.
        try inTransaction(begin: "BEGIN; SELECT pg_advisory_xact_lock(\(Self.writerLockKey))", body)
    }

    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try inTransaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    /// Runs one translated statement with its bound values (what ``Statement/step()`` calls).
    func run(_ sql: String, _ values: [PostgresValue]) throws(StorageError) -> PostgresResult {
        do {
            let result = try connection.query(sql, values)
            noteChanges(result)
            return result
        } catch {
            throw Self.storageError(error)
        }
    }

    private func placeholders(_ sql: String) -> String {
        if let known = translated[sql] { return known }
        let rewritten = SQLPlaceholders.postgres(sql)
        translated[sql] = rewritten
        return rewritten
    }

    static func storageError(_ error: PostgresError) -> StorageError {
        StorageError(sqlState: error.connectionLost && error.sqlState == nil ? StorageError.connectionState : error.sqlState ?? "XX000", message: error.message)
    }
}
