import Foundation
import NTBackup
import NTStorage

/// A private temporary folder, removed by `remove()`.
struct Scratch {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("nt-backup-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// A migrated database with `conversations` conversations of two messages each.
    func database(conversations: Int, name: String = "neural-terminal.db") throws -> SQLiteDatabase {
        let db = try SQLiteDatabase(path: path + "/" + name)
        try Migrator(database: db).migrate()
        try insert(conversations, into: db, from: 0)
        return db
    }

    func insert(_ count: Int, into db: SQLiteDatabase, from start: Int) throws {
        try db.transaction {
            for i in start..<(start + count) {
                try db.execute("INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('c\(i)', 'chat \(i)', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
                for seq in 0..<2 {
                    try db.execute(
                        """
                        INSERT INTO messages (id, conversation_id, seq, role, content, status, created_at, updated_at)
                        VALUES ('m\(i)-\(seq)', 'c\(i)', \(seq), '\(seq == 0 ? "user" : "assistant")',
                        'message \(i) \(seq): the quick brown fox jumps over the lazy dog \(i * 7919 % 1000)', 'complete',
                        '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
                        """
                    )
                }
            }
        }
    }

    func settings(minFreeBytes: Int = 0) -> BackupSettings {
        var settings = BackupSettings(
            databasePath: path + "/neural-terminal.db", directory: path + "/backups", zstdLevel: 3, minFreeBytes: minFreeBytes,
            appVersion: "test"
        )
        settings.pagesPerStep = 4
        return settings
    }

    func files(_ sub: String = "backups") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path + "/" + sub)) ?? []).sorted()
    }
}
