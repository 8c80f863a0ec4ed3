import Foundation
import NTBackup
import NTFiles
import NTStorage
import Testing

/// Backups made by hand with a manifest that matches them (SHA-256, sizes, schema version): what anyone who can
/// write to the backup folder can make. A restore must refuse each with a sentence and leave the data folder as
/// it was, writing nothing large on the way.
@Suite("hostile backups")
struct HostileBackupTests {
    @Test("a backup whose messages tables were dropped is refused; the data folder is unchanged")
    func droppedTablesAreRefused() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try scratch.database(conversations: 3)
        let backup = try Forge.backup(in: scratch, named: "neural-terminal-20260101T000000Z.db.zst") { db in
            try db.execute("DROP TABLE messages_fts; DROP TABLE messages;")
        }
        let error = try refusal(restoring: backup, in: scratch)
        #expect(error.contains("messages"), "\(error)")
        #expect(BackupCatalog.verify(BackupCatalog.list(scratch.path + "/backups")[0], deep: true, scratch: scratch.path + "/v").status == error)
    }

    @Test("a backup with an extra trigger is refused; the data folder is unchanged")
    func extraTriggerIsRefused() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try scratch.database(conversations: 3)
        let backup = try Forge.backup(in: scratch, named: "neural-terminal-20260101T000000Z.db.zst") { db in
            try db.execute("""
                CREATE TRIGGER wipe AFTER INSERT ON messages BEGIN
                    DELETE FROM conversations WHERE id <> NEW.conversation_id;
                END;
                """)
        }
        let error = try refusal(restoring: backup, in: scratch)
        #expect(error.contains("trigger wipe"), "\(error)")
    }

    @Test("a zstd bomb whose manifest states a small size never writes more than that size")
    func bombStopsAtTheManifestSize() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try scratch.database(conversations: 3)
        let backup = try Forge.zeros(in: scratch, named: "neural-terminal-20260101T000000Z.db.zst", bytes: 1 << 30, claimed: 135_168)
        #expect(FileOps.size(backup)! < 1 << 20, "the bomb is small")
        let error = try refusal(restoring: backup, in: scratch)
        #expect(error.contains("size mismatch"), "\(error)")
    }

    @Test("a bomb with a wrong SHA-256 is refused before anything is decompressed")
    func wrongChecksumIsRefusedBeforeDecompressing() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try scratch.database(conversations: 3)
        let backup = try Forge.zeros(in: scratch, named: "neural-terminal-20260101T000000Z.db.zst", bytes: 1 << 30, claimed: 1 << 30,
                                     sha256: String(repeating: "0", count: 64))
        let error = try refusal(restoring: backup, in: scratch)
        #expect(error.contains("checksum mismatch"), "\(error)")
    }

    @Test("a real backup whose database has ANALYZE's statistics tables is restored")
    func statisticsTablesAreAccepted() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let live = try scratch.database(conversations: 5)
        try live.execute("ANALYZE")
        let result = try BackupEngine.create(scratch.settings())
        let staged = try Restore.stage(result.path, dataDirectory: scratch.path, newestSchema: Schema.migrations.count)
        #expect(staged.schemaVersion == Schema.migrations.count)
        #expect(Self.mode(staged.path) == 0o600)
        #expect(Self.mode(result.path) == 0o600 && Self.mode(result.path + ".json") == 0o600)
    }

    /// Restores `backup` (staging it into the scratch folder, as the CLI does), expecting a refusal. While it
    /// runs, the data folder never grows past 8 MiB; afterwards its listing and the live database are unchanged.
    func refusal(restoring backup: String, in scratch: Scratch) throws -> String {
        let count = try Self.conversations(in: scratch)
        let before = scratch.files("")
        var largest = 0
        var message = ""
        do {
            _ = try Restore.stage(backup, dataDirectory: scratch.path, newestSchema: Schema.migrations.count) { _ in
                largest = max(largest, Self.bytes(in: scratch.path))
            }
            Issue.record("the hostile backup was staged")
        } catch let error as BackupError {
            message = error.description
        }
        #expect(!message.contains("Error("), "a sentence, not a dump: \(message)")
        #expect(largest < 8 << 20, "the data folder grew to \(largest) bytes during the restore")
        #expect(scratch.files("") == before)
        #expect(try Self.conversations(in: scratch) == count)
        return message
    }

    /// The live database's conversations (a connection that closes at once, so no `-wal` stays beside it).
    static func conversations(in scratch: Scratch) throws -> Int? {
        try SQLiteDatabase(path: scratch.path + "/neural-terminal.db").scalarInt("SELECT COUNT(*) FROM conversations")
    }

    /// Bytes of the regular files directly in `directory` (the backups live in a subfolder).
    static func bytes(in directory: String) -> Int {
        FileOps.list(directory).reduce(0) { total, name in
            var info = stat()
            guard lstat(directory + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return total }
            return total + Int(info.st_size)
        }
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o777 : 0
    }
}
