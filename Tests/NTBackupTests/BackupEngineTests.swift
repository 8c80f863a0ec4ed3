import Foundation
import NTBackup
import NTFiles
import NTStorage
import NTSystem
import Testing

@Suite("Backups: snapshot, manifest, verification, retention on disk, restore")
struct BackupEngineTests {
    @Test("a backup holds the snapshot taken at its start even while another connection keeps writing")
    func consistentSnapshotUnderWrites() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try scratch.database(conversations: 300)
        let writer = try SQLiteDatabase(path: scratch.path + "/neural-terminal.db")
        var written = 300
        var steps = 0
        let result = try BackupEngine.create(scratch.settings(), progress: { phase, _ in
            guard phase == .snapshot else { return }
            steps += 1
            try? scratch.insert(5, into: writer, from: written)
            written += 5
        })
        #expect(steps > 5, "the copy ran in many small steps")
        #expect(result.manifest.rowCounts["conversations"] == 300)
        #expect(result.manifest.rowCounts["messages"] == 600)
        #expect(result.manifest.schemaVersion == Schema.migrations.count)
        #expect(result.manifest.integrity == "ok")
        #expect(try writer.scalarInt("SELECT COUNT(*) FROM conversations") == written)

        let name = String(result.path.split(separator: "/").last ?? "")
        #expect(BackupName.time(of: name) != nil)
        #expect(scratch.files() == [".lock", name, name + ".json"])
        let manifest = try BackupManifest.read(forBackup: result.path)
        #expect(manifest == result.manifest)
        #expect(manifest.compressedBytes == FileOps.size(result.path))
        #expect(manifest.sha256 == (try BackupCatalog.hashFile(result.path)))
        #expect(manifest.databaseBytes > manifest.compressedBytes)
    }

    @Test("verification: ok, a flipped byte, a truncated file and a missing manifest are told apart")
    func verification() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try scratch.database(conversations: 50)
        let result = try BackupEngine.create(scratch.settings())
        let good = try #require(BackupCatalog.list(scratch.path + "/backups").first)
        #expect(BackupCatalog.verify(good, deep: false).ok)
        #expect(BackupCatalog.verify(good, deep: true, scratch: scratch.path + "/v").ok)

        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: result.path)))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: result.path))
        let flipped = BackupCatalog.verify(good, deep: false)
        #expect(!flipped.ok && flipped.status.contains("checksum mismatch"))
        #expect(!BackupCatalog.verify(good, deep: true, scratch: scratch.path + "/v").ok)

        try Data(bytes.prefix(bytes.count - 10)).write(to: URL(fileURLWithPath: result.path))
        let short = try #require(BackupCatalog.list(scratch.path + "/backups").first)
        #expect(BackupCatalog.verify(short, deep: false).status.contains("truncated"))

        try FileManager.default.removeItem(atPath: result.path + ".json")
        #expect(BackupCatalog.verify(short, deep: false).status.contains("no manifest"))
        #expect(scratch.files().allSatisfy { !$0.hasPrefix("v") })
    }

    @Test("too little free space fails before writing anything; a missing database is reported")
    func refusals() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(throws: BackupError.noDatabase(path: scratch.path + "/neural-terminal.db")) {
            try BackupEngine.create(scratch.settings())
        }
        _ = try scratch.database(conversations: 5)
        do {
            _ = try BackupEngine.create(scratch.settings(minFreeBytes: Int.max / 2))
            Issue.record("expected a disk-full refusal")
        } catch let error as BackupError {
            #expect(error.reason == "disk_full")
        }
        #expect(scratch.files() == [".lock"])
    }

    @Test("two backups in the same second get distinct names; retention prunes files and manifests")
    func namesAndPruning() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try scratch.database(conversations: 5)
        let fixed = UTCTime(year: 2026, month: 6, day: 1, hour: 12)
        let first = try BackupEngine.create(scratch.settings(), now: { fixed })
        let second = try BackupEngine.create(scratch.settings(), now: { fixed })
        #expect(first.path.hasSuffix("20260601T120000Z.db.zst"))
        #expect(second.path.hasSuffix("20260601T120001Z.db.zst"))
        let removed = BackupCatalog.prune(scratch.path + "/backups", policy: RetentionPolicy(last: 1, daily: 0, weekly: 0, monthly: 0))
        #expect(removed == ["neural-terminal-20260601T120000Z.db.zst"])
        #expect(scratch.files() == [".lock", "neural-terminal-20260601T120001Z.db.zst", "neural-terminal-20260601T120001Z.db.zst.json"])
    }

    @Test("restore: stage proves the backup, swap keeps the old database aside; a newer schema is refused")
    func restoreRoundTrip() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let live = try scratch.database(conversations: 20)
        let result = try BackupEngine.create(scratch.settings())
        try scratch.insert(7, into: live, from: 20)

        let newest = Schema.migrations.count
        let staged = try Restore.stage(result.path, dataDirectory: scratch.path, newestSchema: newest)
        #expect(staged.schemaVersion == newest)
        let aside = try Restore.swap(staged: staged.path, database: scratch.path + "/neural-terminal.db")
        let restored = try SQLiteDatabase(path: scratch.path + "/neural-terminal.db")
        #expect(try restored.scalarInt("SELECT COUNT(*) FROM conversations") == 20)
        #expect(try restored.integrityCheck() == "ok")
        let old = try SQLiteDatabase(path: aside, readOnly: true)
        #expect(try old.scalarInt("SELECT COUNT(*) FROM conversations") == 27)

        #expect(throws: BackupError.newerSchema(backup: newest, binary: newest - 1)) {
            try Restore.stage(result.path, dataDirectory: scratch.path, newestSchema: newest - 1)
        }
        #expect(!scratch.files("").contains { $0.hasPrefix(".restore-") })
    }

    @Test("a backup from an older schema is restored and migrated forward")
    func olderSchemaIsMigratedForward() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let old = try SQLiteDatabase(path: scratch.path + "/neural-terminal.db")
        try Migrator(database: old, migrations: Array(Schema.migrations.prefix(1))).migrate()
        let result = try BackupEngine.create(scratch.settings())
        #expect(result.manifest.schemaVersion == 1)

        let staged = try Restore.stage(result.path, dataDirectory: scratch.path, newestSchema: Schema.migrations.count)
        _ = try Restore.swap(staged: staged.path, database: scratch.path + "/neural-terminal.db")
        let restored = try SQLiteDatabase(path: scratch.path + "/neural-terminal.db")
        #expect(try Migrator(database: restored).migrate().version == Schema.migrations.count)
        #expect(try restored.scalarInt("SELECT COUNT(*) FROM conversations") == 0)
    }

    @Test("a snapshot is one file: rollback-journal header, nothing beside it")
    func snapshotIsSelfContained() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let live = try scratch.database(conversations: 10)
        try live.backup(to: scratch.path + "/copy.db")
        let header = [UInt8](try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/copy.db")).prefix(20))
        #expect(header[18] == 1 && header[19] == 1)
        let copy = try SQLiteDatabase(path: scratch.path + "/copy.db", readOnly: true)
        #expect(try copy.integrityCheck() == "ok")
        #expect(try copy.rowCounts()["messages"] == 20)
        #expect(!scratch.files("").contains { $0.hasPrefix("copy.db-") })
    }

    @Test("a cancelled backup stops at its next step and leaves nothing behind")
    func cancellation() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try scratch.database(conversations: 200)
        var steps = 0
        #expect(throws: BackupError.cancelled) {
            try BackupEngine.create(scratch.settings(), shouldContinue: { steps < 3 }, progress: { phase, _ in
                if phase == .snapshot { steps += 1 }
            })
        }
        #expect(steps == 3)
        var compressSteps = 0
        #expect(throws: BackupError.cancelled) {
            try BackupEngine.create(scratch.settings(), shouldContinue: { compressSteps == 0 }, progress: { phase, _ in
                if phase == .compress { compressSteps += 1 }
            })
        }
        #expect(scratch.files() == [".lock"])
    }
}
