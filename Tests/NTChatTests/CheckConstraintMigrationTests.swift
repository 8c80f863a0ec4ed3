import Foundation
import NTChat
import NTStorage
import Testing

/// The upgrade to schema 13: the messages table's CHECK constraints as comparisons, which SQLite evaluates without
/// building a temporary b-tree per statement, and which accept and refuse exactly what they did before.
struct CheckConstraintMigrationTests {
    static let insertMessage = """
        INSERT INTO messages (id, conversation_id, seq, role, content, model, status, request_id, worker_pid, created_at,
          updated_at, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    static let finishAnswer = """
        UPDATE messages SET status = ?, content = ?, reasoning = ?, finish_reason = ?, prompt_tokens = ?, completion_tokens = ?,
          cost_usd = ?, worker_pid = NULL, updated_at = ?, cost_source = ? WHERE id = ?
        """

    /// The opcodes of `sql`'s top-level program, where SQLite codes a table's CHECK constraints.
    static func opcodes(_ db: SQLiteDatabase, _ sql: String) throws -> [String] {
        let explain = try db.prepare("EXPLAIN " + sql)
        var names: [String] = []
        while try explain.step() { names.append(explain.string(1) ?? "") }
        return names
    }

    @Test func aStoredMessageAndAFinishedAnswerBuildNoTemporaryTables() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try Migrator(database: db).migrate()
        #expect(try !Self.opcodes(db, Self.insertMessage).contains("OpenEphemeral"))
        #expect(try !Self.opcodes(db, Self.finishAnswer).contains("OpenEphemeral"))

        // Before the upgrade, the IN lists cost three temporary tables per insert and two per finished answer.
        let old = try SQLiteDatabase(path: ":memory:")
        try Migrator(database: old, migrations: Schema.migrations(through: 12)).migrate()
        #expect(try Self.opcodes(old, Self.insertMessage).filter { $0 == "OpenEphemeral" }.count == 3)
        #expect(try Self.opcodes(old, Self.finishAnswer).filter { $0 == "OpenEphemeral" }.count == 2)
    }

    @Test func anUpgradedDatabaseKeepsItsRowsAndRefusesWhatItRefusedBefore() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-v12-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("db.sqlite").path
        let db = try SQLiteDatabase(path: path)
        try Migrator(database: db, migrations: Schema.migrations(through: 12)).migrate()
        try db.execute("""
            INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('c', 't', '2026-12-01T10:00:00.000Z', '2026-12-01T10:00:00.000Z');
            INSERT INTO messages (id, conversation_id, seq, role, content, model, status, cost_usd, cost_source, created_at, updated_at)
              VALUES ('u', 'c', 1, 'user', 'moon distance', NULL, 'complete', NULL, NULL, '2026-12-01T10:00:00.000Z', '2026-12-01T10:00:00.000Z'),
                     ('a', 'c', 2, 'assistant', 'about 384400 km', 'm', 'complete', 0.25, 'reported', '2026-12-01T10:00:01.000Z', '2026-12-01T10:00:01.000Z');
            """)
        // A second connection, open across the upgrade, must read the new schema too (the cookie was raised).
        let other = try SQLiteDatabase(path: path)
        #expect(try other.scalarInt("SELECT COUNT(*) FROM messages") == 2)

        #expect(try Migrator(database: db).migrate().applied == 1)
        #expect(try db.integrityCheck() == "ok")
        #expect(try db.scalarInt("SELECT COUNT(*) FROM messages") == 2)
        #expect(try db.scalarInt("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'messages' AND sql LIKE '% IN (%'") == 0)
        #expect(try !Self.opcodes(other, Self.insertMessage).contains("OpenEphemeral"))

        for connection in [db, other] {
            for (column, bad) in [("role", "robot"), ("status", "done"), ("cost_source", "guessed")] {
                #expect(throws: StorageError.self, "\(column) = '\(bad)' is refused") {
                    try connection.execute("UPDATE messages SET \(column) = '\(bad)' WHERE id = 'a'")
                }
            }
            try connection.execute("UPDATE messages SET status = 'stopped', cost_source = NULL WHERE id = 'a'")
            try connection.execute("UPDATE messages SET status = 'complete', cost_source = 'estimated', role = 'assistant' WHERE id = 'a'")
        }
    }
}
