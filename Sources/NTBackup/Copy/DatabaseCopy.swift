import NTStorage

/// Copies the appliance's whole database between engines (SQLite to PostgreSQL and back), then verifies the copy
/// table by table (`neural-terminal migrate`).
///
/// - **A consistent snapshot.** The source is read in one read transaction: rows written after it began are not
///   copied, so the operator stops the appliance (or accepts losing what it writes meanwhile) before switching.
/// - **The target becomes exactly the source.** It is migrated to this binary's schema, then, in one write
///   transaction, cleared (every copied table and both running totals) and filled. A second run copies again into
///   the same target and gives the same result; rows deleted from the source since are gone from the target too
///   (an upsert by key would keep them, and `removed_spend` has no key to upsert by). A failure rolls back to the
///   target as it was.
/// - **Running totals are rebuilt, not copied.** The target's triggers total `spend_by_day` and
///   `spend_by_user_day` from the rows as they arrive; the verification compares them with the source's.
/// - Rows are read in ``CopiedTables`` order, batched into multi-row inserts, and never all held in memory
///   (PostgreSQL is read through a cursor).
public enum DatabaseCopy {
    /// Copies `source` into `target` and verifies the result; `progress` hears each table's name and row count as
    /// it is copied. Throws ``DatabaseCopyError`` (a sentence) when either database is not this binary's schema; a
    /// storage error when a statement fails (the target is then unchanged).
    public static func copy(from source: any DatabaseConnection, to target: any DatabaseConnection,
                            progress: (String, Int) -> Void = { _, _ in }) throws -> DatabaseCopyReport {
        try checkSchema(source, role: "source")
        do {
            try Migrator(database: target).migrate()
        } catch let error as StorageError where error.message.contains("newer than this binary") {
            throw DatabaseCopyError.newerTarget(error.message)
        }
        try checkSchema(target, role: "target")
        return try source.readTransaction {
            var sourceDigests: [String: TableDigest] = [:]
            try target.transaction {
                try clear(target)
                for table in CopiedTables.copied {
                    var digest = TableDigest()
                    let insert = BatchInsert(table: table, database: target)
                    try RowReader.forEachRow(of: table, in: source) { row in
                        digest.add(row)
                        try insert.add(row)
                    }
                    try insert.finish()
                    sourceDigests[table.name] = digest
                    progress(table.name, digest.rows)
                }
            }
            let sourceTotals = try SpendTotals.read(source)
            return try target.readTransaction {
                try verify(sourceDigests: sourceDigests, sourceTotals: sourceTotals, target: target)
            }
        }
    }

    /// Compares `source` and `target` without copying, each read in one snapshot: what `--verify-only` runs.
    public static func verify(source: any DatabaseConnection, target: any DatabaseConnection) throws -> DatabaseCopyReport {
        try checkSchema(source, role: "source")
        try checkSchema(target, role: "target")
        let (sourceDigests, sourceTotals) = try source.readTransaction { () throws -> ([String: TableDigest], [String: SpendTotals]) in
            (try Self.digests(source), try SpendTotals.read(source))
        }
        return try target.readTransaction { try verify(sourceDigests: sourceDigests, sourceTotals: sourceTotals, target: target) }
    }

    private static func verify(sourceDigests: [String: TableDigest], sourceTotals: [String: SpendTotals],
                               target: any DatabaseConnection) throws -> DatabaseCopyReport {
        let targetDigests = try digests(target)
        let targetTotals = try SpendTotals.read(target)
        var checks = CopiedTables.copied.map { table in
            TableCheck(table: table.name, source: sourceDigests[table.name] ?? TableDigest(), target: targetDigests[table.name] ?? TableDigest())
        }
        for table in CopiedTables.totals {
            checks.append(TableCheck(table: table.name, source: sourceTotals[table.name] ?? SpendTotals(),
                                     target: targetTotals[table.name] ?? SpendTotals()))
        }
        return DatabaseCopyReport(checks: checks)
    }

    private static func digests(_ database: any DatabaseConnection) throws -> [String: TableDigest] {
        var digests: [String: TableDigest] = [:]
        for table in CopiedTables.copied {
            var digest = TableDigest()
            try RowReader.forEachRow(of: table, in: database) { digest.add($0) }
            digests[table.name] = digest
        }
        return digests
    }

    /// Refuses a database that is not at this binary's newest schema version, or whose tables differ from
    /// ``CopiedTables``.
    private static func checkSchema(_ database: any DatabaseConnection, role: String) throws {
        let newest = Migrator(database: database).migrations.map(\.version).max() ?? 0
        let hasVersions = try database.scalarInt(database.engine == .sqlite
            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            : "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'") ?? 0
        guard hasVersions > 0 else { throw DatabaseCopyError.notAnApplianceDatabase(role: role) }
        let version = try database.scalarInt("SELECT COALESCE(MAX(version), 0) FROM schema_migrations") ?? 0
        guard version == newest else { throw DatabaseCopyError.schemaVersion(role: role, version: version, binary: newest) }
        let problems = try CopiedTables.unknownColumns(database)
        guard problems.isEmpty else { throw DatabaseCopyError.unknownSchema(role: role, problems: problems) }
    }

    /// Empties every copied table and both running totals. PostgreSQL truncates them in one statement (no row
    /// triggers run; the identity restarts). SQLite deletes the messages first: their triggers move each deleted
    /// answer's cost to `removed_spend`, so it must be emptied after them (a row left there would be taken out
    /// again, with its cost, when the copy re-inserts its message); then the rest in reverse insertion order,
    /// and the totals last.
    private static func clear(_ database: any DatabaseConnection) throws {
        let names = (CopiedTables.copied + CopiedTables.totals).map(\.name)
        switch database.engine {
        case .postgres:
            try database.execute("TRUNCATE \(names.joined(separator: ", ")) RESTART IDENTITY")
        case .sqlite:
            for name in ["messages"] + CopiedTables.copied.reversed().map(\.name).filter({ $0 != "messages" }) + CopiedTables.totals.map(\.name) {
                try database.execute("DELETE FROM \(name)")
            }
        }
    }
}

/// Why a copy or a verification was refused, as a sentence.
public enum DatabaseCopyError: Error, Sendable, CustomStringConvertible {
    case notAnApplianceDatabase(role: String)
    case schemaVersion(role: String, version: Int, binary: Int)
    case newerTarget(String)
    case unknownSchema(role: String, problems: [String])

    public var description: String {
        switch self {
        case .notAnApplianceDatabase(let role):
            "the \(role) holds no Neural Terminal database (it has no schema_migrations table)"
        case .schemaVersion(let role, let version, let binary) where version > binary:
            "the \(role) database's schema version \(version) is newer than this binary's \(binary); use the release that wrote it"
        case .schemaVersion(let role, let version, let binary):
            "the \(role) database's schema version \(version) is older than this binary's \(binary); start the appliance "
                + "with this binary once (it upgrades the database), stop it, and run migrate again"
        case .newerTarget(let message):
            "the target \(message)"
        case .unknownSchema(let role, let problems):
            "the \(role) database's schema is not the one this binary copies: \(problems.joined(separator: "; "))"
        }
    }
}
