/// One forward-only schema change. Versions are consecutive integers; a shipped migration never changes.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String
}

/// Applies the migrations a database lacks, each in its own transaction, recording them in `schema_migrations`.
///
/// Only the supervisor runs it, once, before any worker starts, so workers never race on the schema. A database
/// from a newer release (a higher version than this binary knows) is refused rather than touched.
public struct Migrator {
    public let database: SQLiteDatabase
    public let migrations: [Migration]

    public init(database: SQLiteDatabase, migrations: [Migration] = Schema.migrations) {
        self.database = database
        self.migrations = migrations
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
        let current = try currentVersion()
        let newest = migrations.map(\.version).max() ?? 0
        guard current <= newest else {
            throw StorageError(code: 0, message: "database schema version \(current) is newer than this binary's \(newest); refusing to touch it")
        }
        var applied = 0
        for migration in migrations.sorted(by: { $0.version < $1.version }) where migration.version > current {
            try database.transaction {
                try database.execute(migration.sql)
                let insert = try database.prepare(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))"
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
