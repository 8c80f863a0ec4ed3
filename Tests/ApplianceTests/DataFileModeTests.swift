import Foundation
import Testing

/// The conversations are private to the appliance's user on disk: files it creates are 0600, and a database an
/// older version (or an operator) left readable is made private at start.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DataFileModeTests {
    static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
    }

    @Test func theDatabaseItsWALAndABackupAreCreatedPrivate() async throws {
        let app = try Appliance()
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        _ = try await app.createConversation("private")
        let data = app.directory.path + "/data"
        for file in ["neural-terminal.db", "neural-terminal.db-wal", "neural-terminal.db-shm"] {
            #expect(Self.mode(data + "/" + file) == 0o600, "\(file): \(String(Self.mode(data + "/" + file) ?? -1, radix: 8))")
        }
        #expect(Self.mode(data) == 0o700)
        let backup = try await app.cli(["backup"])
        #expect(backup.code == 0, "\(backup.stderr)")
        let backups = try FileManager.default.contentsOfDirectory(atPath: data + "/backups")
        #expect(!backups.isEmpty)
        for name in backups { #expect(Self.mode(data + "/backups/" + name) == 0o600, "\(name)") }
    }

    @Test func aDatabaseLeftReadableByOthersIsMadePrivateAtStartAndTheLogSaysSo() async throws {
        let app = try Appliance { app in
            let data = app.directory.path + "/data"
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: data + "/neural-terminal.db", contents: nil)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: data + "/neural-terminal.db")
        }
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        #expect(Self.mode(app.directory.path + "/data/neural-terminal.db") == 0o600)
        let notice = app.logObjects().first { $0["msg"] as? String == "made a data file private to the appliance's user" }
        #expect(notice?["previous_mode"] as? String == "0644", "\(String(describing: notice))")
    }
}
