import NTPostgres

/// Where the appliance's database is: the embedded SQLite file in the data folder (the default), or a PostgreSQL
/// server named by `storage.url`. Every process opens its own connections from it.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: PostgresURL, password: String?)

    /// The location `storage.url` (empty: SQLite), `storage.data_dir` and the resolved password describe. The URL
    /// was checked when the configuration was loaded; a bad one still throws a sentence here.
    public init(url: String, password: String?, dataDir: String) throws {
        if url.isEmpty {
            self = .sqlite(path: Self.sqliteFile(in: dataDir))
        } else {
            do {
                self = .postgres(url: try PostgresURL(url), password: password)
            } catch {
                throw StorageError(sqlState: StorageError.connectionState, message: "storage.url \(error.message)")
            }
        }
    }

    /// The embedded database's file in the data folder `dataDir`.
    public static func sqliteFile(in dataDir: String) -> String {
        (dataDir.hasSuffix("/") ? dataDir : dataDir + "/") + "neural-terminal.db"
    }

    public var engine: DatabaseEngine {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    /// The SQLite file, or nil on PostgreSQL (no file: backups, restores and file checks do not apply).
    public var sqlitePath: String? {
        if case .sqlite(let path) = self { return path }
        return nil
    }

    /// For logs and `/api/diagnostics`: the file, or the URL (which holds no password).
    public var displayName: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url, _): url.text
        }
    }

    /// A new connection. `applicationName` shows in PostgreSQL's `pg_stat_activity` ("neural-terminal web");
    /// `sqliteBusyTimeoutMs` is SQLite's own wait for a lock inside one attempt.
    public func open(applicationName: String, sqliteBusyTimeoutMs: Int32 = 5000) throws -> any DatabaseConnection {
        switch self {
        case .sqlite(let path):
            try SQLiteDatabase(path: path, busyTimeoutMs: sqliteBusyTimeoutMs)
        case .postgres(let url, let password):
            try PostgresDatabase(url: url, password: password, applicationName: applicationName)
        }
    }
}
