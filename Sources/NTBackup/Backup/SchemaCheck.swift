import NTStorage

/// Proves that a database file (a decompressed backup) is one this build created and that the workers can read
/// it, before it may replace the live database.
///
/// A backup's manifest and checksums only say that the file is the one its maker vouched for; a hand-made file
/// with a matching manifest passes them. So the database itself is checked:
/// 1. `PRAGMA integrity_check` is `ok` and the text encoding is UTF-8;
/// 2. its migration history (`schema_migrations`) is exactly this build's migrations 1…v, names included, and
///    v is not newer than the binary's;
/// 3. its `sqlite_schema` holds exactly the tables, indexes, triggers and views (full-text shadow tables and
///    automatic indexes included) that migrating an empty in-memory database to v creates, SQL compared with
///    whitespace normalised; the only extra objects allowed are the statistics tables SQLite's own `ANALYZE`
///    creates (the maintenance worker's `PRAGMA optimize` may leave them). A dropped table or an added trigger
///    fails here;
/// 4. `PRAGMA foreign_key_check` finds no row pointing at a missing parent;
/// 5. every table answers a `SELECT`, and each full-text index passes FTS5's own `integrity-check` (which
///    `integrity_check` of this SQLite does not cover) — what the workers query.
public enum SchemaCheck {
    /// One object of `sqlite_schema`, its SQL with runs of whitespace collapsed.
    struct Object: Hashable, Comparable, CustomStringConvertible {
        let type: String
        let name: String
        let table: String
        let sql: String

        static func < (a: Object, b: Object) -> Bool { (a.type, a.name) < (b.type, b.name) }
        var description: String { "\(type) \(name)" }
    }

    /// Runs every check on the database file at `path` and returns its schema version. The file is only read,
    /// except for the full-text checks, which run in a transaction that is rolled back.
    @discardableResult
    public static func verify(path: String, newestSchema: Int) throws -> Int {
        let version: Int
        let schema: (required: Set<Object>, optional: Set<Object>)
        do {
            let database = try SQLiteDatabase(path: path, readOnly: true)
            let verdict = try database.integrityCheck()
            guard verdict == "ok" else { throw BackupError.integrity(verdict) }
            let encoding = try text(database, "PRAGMA encoding")
            guard encoding == "UTF-8" else { throw BackupError.schema("its text encoding is \(encoding), not UTF-8") }
            version = try history(database, newestSchema: newestSchema)
            // Built once (migrating an in-memory database) and used by every check below.
            schema = try expected(version: version)
            try compareObjects(database, version: version, expected: schema)
            try foreignKeys(database)
            try probeTables(database, tables: schema.required)
        } catch {
            throw BackupError.converting(error) ?? .storage("checking the database: \(error)")
        }
        try checkFullText(path: path, tables: schema.required)
        return version
    }

    /// The version recorded in `schema_migrations`, after proving the rows are exactly migrations 1…version.
    static func history(_ database: SQLiteDatabase, newestSchema: Int) throws -> Int {
        let present = try database.scalarInt("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'") ?? 0
        guard present == 1 else { throw BackupError.schema("it has no migration history (table schema_migrations)") }
        let rows = try database.prepare("SELECT version, name FROM schema_migrations ORDER BY version")
        var recorded: [(Int, String)] = []
        while try rows.step() { recorded.append((rows.int(0), rows.string(1) ?? "")) }
        guard let version = recorded.last?.0, version > 0 else { throw BackupError.schema("its migration history is empty") }
        guard version <= newestSchema else { throw BackupError.newerSchema(backup: version, binary: newestSchema) }
        let expected = Schema.migrations(through: version).map { ($0.version, $0.name) }
        guard recorded.count == expected.count, zip(recorded, expected).allSatisfy({ $0 == $1 }) else {
            throw BackupError.schema("its migration history (versions \(recorded.map { String($0.0) }.joined(separator: ", "))) is not this release's migrations 1 to \(version)")
        }
        return version
    }

    static func compareObjects(
        _ database: SQLiteDatabase, version: Int, expected: (required: Set<Object>, optional: Set<Object>)
    ) throws {
        let actual = Set(try objects(database))
        let (required, optional) = expected
        let missing = required.subtracting(actual).sorted()
        let extra = actual.subtracting(required).subtracting(optional).sorted()
        guard missing.isEmpty, extra.isEmpty else {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing or changed: " + list(missing)) }
            if !extra.isEmpty { parts.append("not created by this release: " + list(extra)) }
            throw BackupError.schema("it differs from schema version \(version) (" + parts.joined(separator: "; ") + ")")
        }
    }

    /// The objects migrations 1…`version` create in an empty database (`required`), and the statistics tables
    /// `ANALYZE` adds on top (`optional`).
    static func expected(version: Int) throws -> (required: Set<Object>, optional: Set<Object>) {
        let fresh = try SQLiteDatabase(path: ":memory:")
        try Migrator(database: fresh, migrations: Schema.migrations(through: version)).migrate()
        let required = Set(try objects(fresh))
        try fresh.execute("ANALYZE")
        return (required, Set(try objects(fresh)).subtracting(required))
    }

    static func objects(_ database: SQLiteDatabase) throws -> [Object] {
        let rows = try database.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema")
        var found: [Object] = []
        while try rows.step() {
            found.append(Object(
                type: rows.string(0) ?? "", name: rows.string(1) ?? "", table: rows.string(2) ?? "",
                sql: normalised(rows.string(3) ?? "")
            ))
        }
        return found
    }

    static func foreignKeys(_ database: SQLiteDatabase) throws {
        let rows = try database.prepare("PRAGMA foreign_key_check")
        var count = 0
        var first = ""
        while try rows.step() {
            if count == 0 { first = "a row of \(rows.string(0) ?? "?") refers to a missing row of \(rows.string(2) ?? "?")" }
            count += 1
        }
        guard count == 0 else { throw BackupError.integrity("foreign_key_check found \(count) broken references (\(first))") }
    }

    /// Reads a row of every table the migrations created (`tables`, from ``expected(version:)``), as the workers will.
    static func probeTables(_ database: SQLiteDatabase, tables: Set<Object>) throws {
        for object in tables where object.type == "table" {
            do {
                _ = try database.prepare("SELECT * FROM \(quoted(object.name)) LIMIT 1").step()
            } catch {
                throw BackupError.integrity("table \(object.name) cannot be read: \(error)")
            }
        }
    }

    /// FTS5's `integrity-check` (structure only: rank 0, since answers still streaming are not indexed) for each
    /// full-text table; it needs a writable connection, so it runs in a transaction that is rolled back, and the
    /// file is put back in rollback-journal mode afterwards (a backup is one self-contained file).
    static func checkFullText(path: String, tables expectedObjects: Set<Object>) throws {
        let tables = expectedObjects
            .filter { $0.type == "table" && $0.sql.uppercased().hasPrefix("CREATE VIRTUAL TABLE") && $0.sql.lowercased().contains("using fts5") }
        guard !tables.isEmpty else { return }
        do {
            let database = try SQLiteDatabase(path: path)
            defer { try? database.execute("PRAGMA journal_mode = DELETE") }
            for table in tables {
                try database.execute("BEGIN")
                defer { try? database.execute("ROLLBACK") }
                do {
                    try database.execute("INSERT INTO \(quoted(table.name)) (\(quoted(table.name)), rank) VALUES ('integrity-check', 0)")
                } catch {
                    throw BackupError.integrity("the full-text index \(table.name) is damaged: \(error)")
                }
            }
        } catch {
            throw BackupError.converting(error) ?? .storage("checking the full-text index: \(error)")
        }
    }

    static func normalised(_ sql: String) -> String {
        sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
    }

    static func quoted(_ name: String) -> String {
        "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    static func text(_ database: SQLiteDatabase, _ sql: String) throws -> String {
        let statement = try database.prepare(sql)
        return try statement.step() ? (statement.string(0) ?? "") : ""
    }

    static func list(_ objects: [Object]) -> String {
        let shown = objects.prefix(6).map(\.description).joined(separator: ", ")
        return objects.count > 6 ? shown + " and \(objects.count - 6) more" : shown
    }
}
