import Foundation
import NTStorage
import Testing

/// Migration 6: times an earlier importer stored with an offset or without milliseconds are rewritten in the UTC
/// form the appliance writes (and an import now requires), so exports of old data import again and spend falls on
/// its UTC day.
struct UTCTimestampMigrationTests {
    func value(_ db: SQLiteDatabase, _ sql: String) throws -> String? {
        let statement = try db.prepare(sql)
        return try statement.step() ? statement.string(0) : nil
    }

    @Test func offsetTimesBecomeUTCAndEverythingElseStaysAsItWas() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-utc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try SQLiteDatabase(path: directory.appendingPathComponent("db.sqlite").path)
        _ = try Migrator(database: db, migrations: Schema.migrations(through: 5)).migrate()
        try db.execute("""
            INSERT INTO conversations (id, title, created_at, updated_at)
              VALUES ('c1', 'imported long ago', '2026-01-01T01:30:00+02:00', '2026-01-01T10:00:00.250+02:00'),
                     ('c2', 'written by the appliance', '2026-02-01T00:00:00.000Z', '2026-02-01T00:00:01.000Z');
            INSERT INTO messages (id, conversation_id, seq, role, content, status, cost_usd, created_at, updated_at)
              VALUES ('m1', 'c1', 0, 'assistant', 'answer', 'complete', 0.25, '2026-01-01T01:30:00-05:00', 'not a time');
            INSERT INTO archived_conversations (conversation_id, last_activity, messages, file, archived_at)
              VALUES ('c1', '2026-01-01T10:00:00.250+02:00', 1, '2026-01.jsonl.zst', '2026-03-01T00:00:00.000Z');
            """)
        _ = try Migrator(database: db).migrate()

        #expect(try value(db, "SELECT created_at FROM conversations WHERE id = 'c1'") == "2025-12-31T23:30:00.000Z")
        #expect(try value(db, "SELECT updated_at FROM conversations WHERE id = 'c1'") == "2026-01-01T08:00:00.250Z")
        #expect(try value(db, "SELECT updated_at FROM conversations WHERE id = 'c2'") == "2026-02-01T00:00:01.000Z")
        #expect(try value(db, "SELECT created_at FROM messages WHERE id = 'm1'") == "2026-01-01T06:30:00.000Z")
        #expect(try value(db, "SELECT updated_at FROM messages WHERE id = 'm1'") == "not a time", "unreadable values stay")
        #expect(try value(db, "SELECT last_activity FROM archived_conversations") == "2026-01-01T08:00:00.250Z")
        #expect(try value(db, "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'answer'") == "1", "still searchable")
    }

    @Test func aFinishedMessageThatIsUpdatedStaysSearchableUnderItsNewTextOnly() async throws {
        let db = try TempDatabase()
        defer { db.cleanup() }
        let sqlite = try SQLiteDatabase(path: db.path)
        try sqlite.execute("""
            INSERT INTO conversations (id, title, created_at, updated_at)
              VALUES ('c', 't', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
            INSERT INTO messages (id, conversation_id, seq, role, content, status, created_at, updated_at)
              VALUES ('m', 'c', 0, 'assistant', 'first words', 'complete', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
                     ('s', 'c', 1, 'assistant', 'partial words', 'streaming', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
            UPDATE messages SET content = 'second words' WHERE id = 'm';
            UPDATE messages SET content = 'partial words grow' WHERE id = 's';
            """)
        func hits(_ query: String) throws -> String? {
            try value(sqlite, "SELECT group_concat(rowid) FROM messages_fts WHERE messages_fts MATCH '\(query)'")
        }
        #expect(try hits("second") != nil, "the new text is found")
        #expect(try hits("first") == nil, "the old text is gone")
        #expect(try hits("partial") == nil, "a streaming answer is not indexed until it ends")
        try sqlite.execute("UPDATE messages SET status = 'complete' WHERE id = 's'")
        #expect(try hits("grow") != nil)
        try sqlite.execute("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')")
    }
}
