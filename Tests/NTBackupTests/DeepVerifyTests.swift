import Foundation
import NTBackup
import NTStorage
import Testing

/// `backups --deep` decompresses each backup into a scratch database beside the data: it must leave nothing there,
/// neither the file nor a journal, WAL or shared-memory file of it, and must not pick up ones an earlier run left.
struct DeepVerifyTests {
    @Test func aDeepVerifyLeavesNoDatabaseFileOrCompanionBehind() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try scratch.database(conversations: 5)
        _ = try BackupEngine.create(scratch.settings())
        let good = try #require(BackupCatalog.list(scratch.path + "/backups").first)
        try FileManager.default.createDirectory(atPath: scratch.path + "/verify", withIntermediateDirectories: true)
        // Left by an interrupted run: a WAL and shared memory of the scratch name, with garbage in them.
        for suffix in ["-wal", "-shm", "-journal"] {
            try Data(repeating: 0x5A, count: 4096).write(to: URL(fileURLWithPath: scratch.path + "/verify/v.tmp" + suffix))
        }

        let verification = BackupCatalog.verify(good, deep: true, scratch: scratch.path + "/verify/v")
        #expect(verification.ok, "\(verification.status)")
        #expect(scratch.files("verify").isEmpty, "left behind: \(scratch.files("verify"))")
    }
}
