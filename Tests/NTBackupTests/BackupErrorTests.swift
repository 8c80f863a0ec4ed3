import NTBackup
import NTFiles
import Testing

/// The backup API throws one error type: a file utility's ``FileError`` arrives as a ``BackupError`` with the
/// sentence and metric reason a backup failure has.
@Suite("Backup errors: file failures arrive as BackupError")
struct BackupErrorTests {
    @Test("a backup directory locked by another run is BackupError.busy, reason busy")
    func heldLock() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try scratch.database(conversations: 1)
        let settings = scratch.settings()
        try FileOps.makeDirectories(settings.directory)
        let lock = try DirectoryLock(directory: settings.directory)
        defer { lock.release() }
        #expect(throws: BackupError.busy(directory: settings.directory)) { try BackupEngine.create(settings) }
        #expect(BackupError.busy(directory: settings.directory).description.contains("another backup or restore"))
    }

    @Test("a file that cannot be opened is BackupError.file(.io), reason io, naming the call and the path")
    func missingFile() throws {
        let path = "/nonexistent-\(UInt64.random(in: 0...UInt64.max))/backup.db.zst"
        do {
            _ = try BackupCatalog.hashFile(path)
            Issue.record("hashed a missing file")
        } catch let error as BackupError {
            guard case .file(.io(let operation, let failed, _)) = error else {
                Issue.record("not a file error: \(error)")
                return
            }
            #expect(operation == "open" && failed == path)
            #expect(error.reason == "io")
            #expect(error.description.hasPrefix("open \(path): No such file or directory"))
        }
    }

    @Test("each FileError maps to the backup case that means the same")
    func mapping() {
        #expect(BackupError(.busy(directory: "/b")) == .busy(directory: "/b"))
        #expect(BackupError(.cancelled) == .cancelled)
        #expect(BackupError(.exceedsLimit(path: "/b/x.zst", limit: 10)).reason == "manifest")
        #expect(BackupError(.zstd("corrupt")) == .file(.zstd("corrupt")))
        #expect(BackupError(.io(operation: "write", path: "/b", errno: 28)).reason == "disk_full")
    }
}
