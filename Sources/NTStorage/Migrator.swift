/// One forward-only schema change. Versions are consecutive integers; a shipped migration never changes.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String
    /// Runs after `sql`, in the same transaction: a change SQL text alone cannot make (one that needs a value read
    /// from the database first, such as SQLite's schema cookie).
    public let step: (@Sendable (any DatabaseConnection) throws -> Void)?

    public init(version: Int, name: String, sql: String, step: (@Sendable (any DatabaseConnection) throws -> Void)? = nil) {
        self.version = version
        self.name = name
        self.sql = sql
        self.step = step
    }
}

/// Applies the migrations a database lacks, each in its own transaction, recording them in `schema_migrations`.
///
/// On SQLite only the supervisor runs it, once, before any worker starts, so workers never race on the schema. On
/// PostgreSQL several appliances may start at once: the whole run holds a session advisory lock
/// (``migrationLockKey``), so the first migrates and the others find the work done. A database from a newer
/// release (a higher version than this binary knows) is refused rather than touched.
///
/// Each engine has its own chain (``Schema/migrations`` for SQLite, ``PostgresSchema/migrations``): a PostgreSQL
/// database starts at the shape SQLite reached in twelve steps, so their version numbers are not comparable.
public struct Migrator {
    public let database: any DatabaseConnection
    public let migrations: [Migration]

    /// The key of the advisory lock the PostgreSQL migration holds: "NTM1" as an integer.
    public static let migrationLockKey = 0x4E54_4D31

    public init(database: any DatabaseConnection, migrations: [Migration]? = nil) {
        self.database = database
        self.migrations = migrations ?? (database.engine == .sqlite ? Schema.migrations : PostgresSchema.migrations)
    }

    /// The schema version of the database (0 for a new one).
    public func currentVersion() throws -> Int {
        try database.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        return try database.scalarInt("SELECT COALESCE(MAX(version), 0) FROM schema_migrations") ?? 0
    }

    /// Brings the database to the newest version; returns that version and how many migrations ran now.
    @discardableResult
    public func migrate() throws -> (version: Int, applied: Int) {
        guard database.engine == .postgres else { return try migrateHoldingLock() }
        try database.execute("SELECT pg_advisory_lock(\(Self.migrationLockKey))")
        defer { try? database.execute("SELECT pg_advisory_unlock(\(Self.migrationLockKey))") }
        return try migrateHoldingLock()
    }

    private func migrateHoldingLock() throws -> (version: Int, applied: Int) {
        let current = try currentVersion()
        let newest = migrations.map(\.version).max() ?? 0
        guard current <= newest else {
            throw StorageError(code: 0, message: "database schema version \(current) is newer than this binary's \(newest); refusing to touch it")
        }
        var applied = 0
        for migration in migrations.sorted(by: { $0.version < $1.version }) where migration.version > current {
            try database.transaction {
                try database.execute(migration.sql)
                try migration.step?(database)
                let insert = try database.prepare(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, \(database.nowExpression))"
                )
                insert.bind(1, migration.version)
                insert.bind(2, migration.name)
                _ = try insert.step()
            }
            applied += 1
        }
        return (newest, applied)
    }
}
