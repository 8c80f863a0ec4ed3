import Foundation
import NTBackup
import NTPostgres
import NTStorage
import PostgresTestSupport
import Testing

/// `DatabaseCopy` without the command line: rows of every shape (NULLs, floats that are not short decimals, text
/// beyond ASCII, a branched tree, a deleted answer's spend, identical rows without a key) copied SQLite → PostgreSQL
/// → SQLite, verified exactly, and a one-bit change found.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DatabaseCopyTests {
    static let day = "2026-12-01T10:00:00.000Z"

    /// A migrated SQLite database in a folder of its own, filled with `seed`.
    static func sqliteDatabase(seeded: Bool = true, migrations: [Migration]? = nil) throws -> (database: SQLiteDatabase, path: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-copy-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let database = try SQLiteDatabase(path: directory + "/neural-terminal.db")
        try Migrator(database: database, migrations: migrations).migrate()
        if seeded { try database.execute(seed) }
        return (database, directory + "/neural-terminal.db")
    }

    static let seed = """
        INSERT INTO users (id, name, role, password_hash, daily_budget_usd, created_at, updated_at)
            VALUES ('u-bob', 'Bøb', 'member', '$2b$12$hash', 0.1, '\(day)', '\(day)'),
                   ('U-zed', 'Zed', 'admin', NULL, NULL, '\(day)', '\(day)');
        INSERT INTO auth_sessions VALUES ('h1', 'fp', 1764583200.123456, 1764583201.5, '127.0.0.1', 'curl/8 ✓', 'u-bob');
        INSERT INTO api_tokens VALUES ('t1', 'notebook', 'sh', 1764583200.25, NULL, NULL, NULL, 'owner');
        INSERT INTO models VALUES ('fake/lorem', 'Lorem', 8192, 0.000001, 0.000002, NULL, NULL, 1e-300, 4096, '\(day)');
        INSERT INTO conversations (id, title, created_at, updated_at, current_leaf_id, owner_id)
            VALUES ('c1', 'Pelicans 🐦 über alles', '\(day)', '\(day)', 'm3', 'u-bob'),
                   ('c2', 'second', '\(day)', '\(day)', NULL, 'owner');
        INSERT INTO messages (id, conversation_id, seq, role, content, status, created_at, updated_at, parent_id)
            VALUES ('m1', 'c1', 1, 'user', 'Tell me about pelicans', 'complete', '\(day)', '\(day)', NULL);
        INSERT INTO messages (id, conversation_id, seq, role, content, reasoning, model, status, prompt_tokens, cost_usd,
                              cost_source, created_at, updated_at, parent_id)
            VALUES ('m2', 'c1', 2, 'assistant', 'They fish.', 'think', 'fake/lorem', 'complete', 12, 0.1, 'reported', '\(day)', '\(day)', 'm1'),
                   ('m3', 'c1', 3, 'assistant', 'Large bills.', '', 'fake/lorem', 'stopped', 12, 0.2, 'estimated', '\(day)', '\(day)', 'm1'),
                   ('m4', 'c2', 1, 'assistant', 'gone', '', NULL, 'complete', NULL, 0.30000000000000004, 'reported', '\(day)', '\(day)', NULL),
                   ('m5', 'c2', 2, 'assistant', 'gone too', '', NULL, 'error', NULL, 0.30000000000000004, 'reported', '\(day)', '\(day)', NULL);
        DELETE FROM messages WHERE conversation_id = 'c2';
        INSERT INTO removed_spend SELECT * FROM removed_spend WHERE message_id = 'm4';
        INSERT INTO archived_conversations VALUES ('c0', '\(day)', 3, '2026-11.jsonl.zst', '\(day)', NULL);
        """

    /// A new, empty database on the throwaway cluster (it goes with the cluster when the tests end). With
    /// `linguisticOrder`, its text sorts by ICU's English rules ('u-bob' before 'U-zed'), not byte by byte ('U-zed'
    /// first) as the cluster's C locale and SQLite do: the checksums must not depend on it.
    static func postgres(linguisticOrder: Bool = false) throws -> PostgresDatabase {
        let cluster = try TestPostgres.cluster()
        let name = "copy_\(UUID().uuidString.prefix(8).lowercased())"
        try TestPostgres.connect(cluster.url(database: "postgres")).execute(
            "CREATE DATABASE \(name) TEMPLATE template0" + (linguisticOrder ? " LOCALE_PROVIDER icu ICU_LOCALE 'en-US'" : ""))
        return try PostgresDatabase(url: PostgresURL(cluster.url(database: name)), password: TestPostgres.password, applicationName: "tests")
    }

    @Test func everyTableRoundTripsExactlyAndAChangedBitIsFound() throws {
        let source = try Self.sqliteDatabase()
        let target = try Self.postgres(linguisticOrder: true)

        var progress: [String] = []
        let report = try DatabaseCopy.copy(from: source.database, to: target) { table, rows in progress.append("\(table) \(rows)") }
        #expect(report.matches, "\(report.checks.map(\.line))")
        #expect(progress == ["app_meta 1", "users 3", "auth_sessions 1", "api_tokens 1", "models 1", "conversations 2", "messages 3",
                             "removed_spend 3", "archived_conversations 1"])
        #expect(report.checks.map(\.table).suffix(2) == ["spend_by_day", "spend_by_user_day"])
        #expect(try target.scalarInt("SELECT answers FROM spend_by_user_day WHERE user_id = 'owner'") == 3,
                "the deleted answers' spend is totalled by the target's triggers, for their owner")

        let again = try DatabaseCopy.copy(from: source.database, to: target)
        #expect(again.matches && again.checks.map(\.line) == report.checks.map(\.line), "a second copy gives the same tables")

        // The identity moved past the copied rowids: a new message takes the next one.
        try target.execute("INSERT INTO messages (id, conversation_id, seq, role, status, created_at, updated_at) "
            + "VALUES ('m9', 'c1', 9, 'user', 'complete', '\(Self.day)', '\(Self.day)')")
        let largest = try source.database.scalarInt("SELECT MAX(rowid) FROM messages") ?? 0
        #expect(try target.scalarInt("SELECT rowid FROM messages WHERE id = 'm9'") == largest + 1)
        #expect(try DatabaseCopy.verify(source: source.database, target: target).mismatches == ["messages"])
        try target.execute("DELETE FROM messages WHERE id = 'm9'")

        // One bit of one float: the row checksum sees it; the totals, sums in another order, stay within rounding.
        let statement = try target.prepare("UPDATE models SET cache_read_price = ?1 WHERE id = 'fake/lorem'")
        statement.bind(1, (1e-300).nextUp)
        _ = try statement.step()
        #expect(try DatabaseCopy.verify(source: source.database, target: target).mismatches == ["models"])

        // Back to a new SQLite file: the same rows as PostgreSQL holds now, searchable.
        let back = try Self.sqliteDatabase(seeded: false)
        let returned = try DatabaseCopy.copy(from: target, to: back.database)
        #expect(returned.matches, "\(returned.checks.map(\.line))")
        let returnedAgain = try DatabaseCopy.copy(from: target, to: back.database)
        #expect(returnedAgain.matches, "a second copy into the same SQLite file: \(returnedAgain.checks.map(\.line))")
        #expect(try DatabaseCopy.verify(source: source.database, target: back.database).mismatches == ["models"])
        #expect(try back.database.scalarInt("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'pelicans'") == 1)
        #expect(try back.database.scalarInt("SELECT count(*) FROM conversations_fts WHERE conversations_fts MATCH 'über'") == 1)
        #expect(try back.database.scalarInt("SELECT rowid FROM messages WHERE id = 'm3'") == source.database.scalarInt("SELECT rowid FROM messages WHERE id = 'm3'"))
    }

    @Test func aDatabaseOfAnotherSchemaVersionIsRefusedAndTheTargetKeepsItsRows() throws {
        let older = try Self.sqliteDatabase(seeded: false, migrations: Schema.migrations(through: 11))
        let target = try Self.postgres()
        let refused = #expect(throws: DatabaseCopyError.self) { try DatabaseCopy.copy(from: older.database, to: target) }
        #expect(refused?.description.contains("schema version 11 is older than this binary's \(Schema.migrations.count)") == true, "\(String(describing: refused))")

        let source = try Self.sqliteDatabase()
        _ = try DatabaseCopy.copy(from: source.database, to: target)
        try target.execute("INSERT INTO schema_migrations VALUES (99, 'from a later release', 'now')")
        let newer = #expect(throws: DatabaseCopyError.self) { try DatabaseCopy.copy(from: source.database, to: target) }
        #expect(newer?.description.contains("schema version 99 is newer than this binary's \(PostgresSchema.migrations.count)") == true, "\(String(describing: newer))")
        #expect(try target.scalarInt("SELECT count(*) FROM messages") == 3, "nothing was cleared")
    }
}
