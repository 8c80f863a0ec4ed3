import CSQLite
import NTPostgres

/// A prepared statement: bind parameters (1-based), step through rows, read columns (0-based), on either engine.
///
/// On SQLite it is a `sqlite3_stmt`. On PostgreSQL the bound values are kept until the first ``step()``, which runs
/// the statement and fetches all its rows; later steps read them from memory.
public final class Statement {
    /// A SQLite connection is held unowned: its statement cache holds its statements (SQLite keeps the connection
    /// open until its last statement is finalized). A PostgreSQL connection has no cache and is held strongly, so a
    /// statement that outlives every other reference to its connection still runs.
    private struct Owner<Connection: AnyObject> {
        unowned let connection: Connection
    }

    private enum Backend {
        case sqlite(OpaquePointer, Owner<SQLiteDatabase>)
        case postgres(PostgresDatabase, sql: String)
    }

    private let backend: Backend
    private var bound: [PostgresValue] = []
    private var result: PostgresResult?
    private var row = -1
    /// In its connection's list of cached statements to reset (``SQLiteDatabase/resetCachedStatements()``).
    var awaitingReset = false

    init(sqlite handle: OpaquePointer, database: SQLiteDatabase) {
        backend = .sqlite(handle, Owner(connection: database))
    }

    init(postgres database: PostgresDatabase, sql: String) {
        backend = .postgres(database, sql: sql)
    }

    deinit {
        if case .sqlite(let handle, _) = backend { sqlite3_finalize(handle) }
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    public func bind(_ index: Int32, _ value: String?) {
        switch backend {
        case .sqlite(let handle, _):
            if let value { sqlite3_bind_text(handle, index, value, -1, Self.transient) } else { sqlite3_bind_null(handle, index) }
        case .postgres:
            bindPostgres(index, .text(value))
        }
    }

    public func bind(_ index: Int32, _ value: Int?) {
        switch backend {
        case .sqlite(let handle, _):
            if let value { sqlite3_bind_int64(handle, index, Int64(value)) } else { sqlite3_bind_null(handle, index) }
        case .postgres:
            bindPostgres(index, .int(value))
        }
    }

    public func bind(_ index: Int32, _ value: Double?) {
        switch backend {
        case .sqlite(let handle, _):
            if let value { sqlite3_bind_double(handle, index, value) } else { sqlite3_bind_null(handle, index) }
        case .postgres:
            bindPostgres(index, .double(value))
        }
    }

    /// Advances to the next row; false when the statement is done.
    public func step() throws(StorageError) -> Bool {
        switch backend {
        case .sqlite(let handle, let database):
            let rc = sqlite3_step(handle)
            switch rc {
            case SQLITE_ROW: return true
            case SQLITE_DONE: return false
            default: throw database.connection.lastError(rc)
            }
        case .postgres(let database, let sql):
            if result == nil {
                result = try database.run(sql, bound)
                row = -1
            }
            row += 1
            return row < result!.rowCount
        }
    }

    /// Resets the statement for another execution with new bindings.
    public func reset() {
        switch backend {
        case .sqlite(let handle, _):
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        case .postgres:
            bound.removeAll(keepingCapacity: true)
            result = nil
            row = -1
        }
    }

    public func isNull(_ column: Int32) -> Bool {
        switch backend {
        case .sqlite(let handle, _): sqlite3_column_type(handle, column) == SQLITE_NULL
        case .postgres: result?.isNull(row: row, column: Int(column)) ?? true
        }
    }

    public func int(_ column: Int32) -> Int {
        switch backend {
        case .sqlite(let handle, _): Int(sqlite3_column_int64(handle, column))
        case .postgres: result?.int(row: row, column: Int(column)) ?? 0
        }
    }

    public func double(_ column: Int32) -> Double {
        switch backend {
        case .sqlite(let handle, _): sqlite3_column_double(handle, column)
        case .postgres: result?.double(row: row, column: Int(column)) ?? 0
        }
    }

    public func string(_ column: Int32) -> String? {
        switch backend {
        case .sqlite(let handle, _):
            guard let text = sqlite3_column_text(handle, column) else { return nil }
            return String(cString: text)
        case .postgres:
            return result?.string(row: row, column: Int(column))
        }
    }

    private func bindPostgres(_ index: Int32, _ value: PostgresValue) {
        let slot = Int(index) - 1
        guard slot >= 0 else { return }
        while bound.count <= slot { bound.append(.null) }
        bound[slot] = value
    }
}
