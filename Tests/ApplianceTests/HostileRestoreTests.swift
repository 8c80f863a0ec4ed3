import Foundation
import NTBackup
import NTFiles
import NTIPC
import NTStorage
import NTWorkerKit
import Testing

/// Restores of hand-made backups (manifests that match them) through the running appliance: refused with a
/// sentence, the data folder untouched and never filled; and a restored database the workers die on during their
/// probation is put back by the supervisor.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct HostileRestoreTests {
    @Test func hostileBackupsAreRefusedWithASentenceAndTheDataFolderStaysAsItWas() async throws {
        let app = try Appliance(extraConfig: "backup.interval_minutes = 0\n")
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        for i in 0..<3 { try await app.createConversation("kept \(i)") }
        let made = try await app.cli(["backup"])
        #expect(made.code == 0, "\(made.stderr)")
        let good = try #require(app.backupFiles().first)

        let dropped = try await Self.forge(app, from: good, named: "neural-terminal-20200101T000000Z.db.zst",
                                           sql: "DROP TABLE messages_fts; DROP TABLE messages;")
        let trigger = try await Self.forge(app, from: good, named: "neural-terminal-20200102T000000Z.db.zst", sql: """
            CREATE TRIGGER wipe AFTER INSERT ON messages BEGIN DELETE FROM conversations WHERE id <> NEW.conversation_id; END;
            """)
        let bomb = try await Self.bomb(app, from: good, named: "neural-terminal-20200103T000000Z.db.zst", claimed: 135_168, sha256: nil)
        let wrongSum = try await Self.bomb(app, from: good, named: "neural-terminal-20200104T000000Z.db.zst", claimed: 1 << 30,
                                           sha256: String(repeating: "0", count: 64))

        for (name, reason) in [(dropped, "messages"), (trigger, "trigger wipe"), (bomb, "size mismatch"), (wrongSum, "checksum mismatch")] {
            let before = Self.names(app.dataDirectory)
            let watcher = FolderWatcher(app.dataDirectory)
            let result = try await app.cli(["restore", name])
            let largest = await watcher.stop()
            #expect(result.code == 1, "\(name): \(result.stdout) \(result.stderr)")
            #expect(result.stderr.contains("restore refused") && result.stderr.contains(reason), "\(name): \(result.stderr)")
            #expect(!(result.stdout + result.stderr).contains("DecodingError"))
            #expect(largest < 64 << 20, "\(name): the data folder held \(largest) bytes during the restore")
            #expect(Self.names(app.dataDirectory) == before, "\(name): the data folder changed")
        }
        let deep = try await app.cli(["backups", "--deep"])
        #expect(deep.code == 1)
        #expect(deep.stdout.split(separator: "\n").filter { $0.hasSuffix(" ok") }.count == 1, "only the real backup verifies: \(deep.stdout)")

        try await app.createConversation("after the refusals")
        #expect(try await app.conversationCount() == 4, "nothing restored, no trigger installed")
        #expect(try app.metrics("/ready").status == 200)
    }

    /// The web worker is killed on the restored database (as a crash of it would end it) the first two times it
    /// starts, while the restore request waits for it: the supervisor puts the previous database back before it
    /// answers, and the workers run on that one.
    @Test func aRestoredDatabaseTheWebWorkerDiesOnIsRolledBackDuringTheRestore() async throws {
        let (app, good) = try await Self.applianceWithABackup()
        defer { Task { await app.stop() } }
        for i in 0..<2 { try await app.createConversation("after the backup \(i)") }
        let before = try #require(try await app.status().worker(.web)?.pid)

        let killer = WorkerKiller(role: "web", parent: app.pid, sparing: before, times: 2)
        let result = try await app.cli(["restore", good])
        #expect(await killer.stop() == 2)
        #expect(result.code == 1, "\(result.stdout)")
        #expect(result.stderr.contains("backup verified"), "it passes every check: \(result.stderr)")
        #expect(result.stderr.contains("rolled back") && result.stderr.contains("the previous database is back"), "\(result.stderr)")
        #expect(!result.stderr.contains("DecodingError"))
        try await Self.expectRolledBack(app, conversations: 5)
    }

    @Test(arguments: [WorkerRole.web, .maintenance])
    func aWriterFailingOnTheRestoredDatabaseAfterTheRestoreRollsItBack(_ role: WorkerRole) async throws {
        let (app, good) = try await Self.applianceWithABackup()
        defer { Task { await app.stop() } }
        for i in 0..<2 { try await app.createConversation("after the backup \(i)") }
        let restore = try await app.cli(["restore", good])
        #expect(restore.code == 0, "\(restore.stderr)")
        #expect(try await app.conversationCount() == 3)
        #expect(try await app.status().restore?.state == "watching")

        // The worker dies twice during its probation (the web worker stays up when it is the maintenance one).
        let first = try #require(try await app.status().worker(role)?.pid)
        kill(first, SIGKILL)
        var second: Int32?
        try await eventually(timeout: 30, "the \(role.rawValue) worker restarted") {
            second = try? await app.status().worker(role)?.pid
            return second != nil && second != first
        }
        kill(try #require(second), SIGKILL)
        try await Self.expectRolledBack(app, conversations: 5)
        try await eventually(timeout: 30, "both writers run again") {
            let status = try? await app.status()
            return status?.worker(.web)?.ready == true && status?.worker(.maintenance)?.ready == true
        }
    }

    /// A staged file the migrations fail on (sent to the supervisor directly, as the CLI would after its checks):
    /// the previous database is put back; the error reaches the requester and the log, while `/ready` (open to
    /// anyone) and `status` carry only a fixed sentence.
    @Test func aFailedMigrationIsRolledBackAndTheOpenProbeShowsNoErrorText() async throws {
        let (app, _) = try await Self.applianceWithABackup()
        defer { Task { await app.stop() } }
        let staged = app.dataDirectory + "/.restore-20200101T000000Z.db"
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: staged))

        let answer = try RestoreReport.decode(try await IPCClient.request(path: app.controlSocket, command: "restore", argument: staged, timeout: 120))
        #expect(!answer.ok)
        #expect(answer.error?.contains("migrating the restored database failed: ") == true, "the requester gets the error: \(answer)")
        try await Self.expectRolledBack(app, conversations: 3)
        let ready = try app.metrics("/ready")
        let notes = try #require(try JSONSerialization.jsonObject(with: Data(ready.body.utf8)) as? [String: Any])["notes"] as? [String: String]
        #expect(notes?["restore"]?.hasSuffix("Z: rolled back: migrating the restored database failed; the previous database is back") == true, "\(ready.body)")
    }

    /// A SIGTERM while a restore has the writers stopped (the web worker is frozen, so their drain takes the grace
    /// period): the appliance drains and exits, and no worker is started after the shutdown began.
    @Test func aSigtermDuringARestoreStartsNoWorkerAndTheApplianceExits() async throws {
        let (app, good) = try await Self.applianceWithABackup(grace: 3)
        defer { Task { await app.stop() } }
        let web = try #require(try await app.status().worker(.web)?.pid)
        kill(web, SIGSTOP)
        async let restore = app.cli(["restore", good])
        try await eventually(timeout: 30, "the restore stopped the writers") {
            app.logLines().contains { $0.contains("restore: stopping the writers") }
        }
        // The writers' drain ends (SIGKILL) at grace + 1 s, before the shutdown's own grace period does.
        try await Task.sleep(for: .seconds(2))
        let sent = Date()
        app.signal(SIGTERM)
        _ = try await restore
        #expect(await app.waitForExit(timeout: 30) == 0)
        #expect(Date().timeIntervalSince(sent) < 30, "the restore request does not hold the shutdown for a probation")
        let lines = app.logLines()
        let shutdown = try #require(lines.firstIndex { $0.contains("shutting down") })
        #expect(!lines[shutdown...].contains { $0.contains("worker spawned") }, "\(lines[shutdown...].joined(separator: "\n"))")
    }

    /// A running appliance with three conversations and one backup of them (its file name).
    static func applianceWithABackup(grace: Double = 5) async throws -> (Appliance, String) {
        let app = try Appliance(extraConfig: "backup.interval_minutes = 0\n", grace: grace)
        do {
            try await app.waitUntilReady()
            for i in 0..<3 { try await app.createConversation("in the backup \(i)") }
            #expect(try await app.cli(["backup"]).code == 0)
            return (app, try #require(app.backupFiles().first))
        } catch {
            await app.stop()
            throw error
        }
    }

    /// The previous database is back and serving; the log, `status --json`, `status` and `/ready` say so.
    static func expectRolledBack(_ app: Appliance, conversations: Int) async throws {
        try await eventually(timeout: 60, "the restore rolled back") {
            app.logLines().contains { $0.contains("restore rolled back: the previous database is back") }
        }
        try await app.waitUntilReady(timeout: 30)
        #expect(try await app.conversationCount() == conversations)
        let json = try await app.cli(["status", "--json"])
        let restore = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])["restore"] as? [String: Any]
        #expect(restore?["state"] as? String == "rolled_back", "\(json.stdout)")
        #expect((try await app.cli(["status"])).stdout.contains("last restore: rolled back"))
        let ready = try app.metrics("/ready")
        let notes = try #require(try JSONSerialization.jsonObject(with: Data(ready.body.utf8)) as? [String: Any])["notes"] as? [String: String]
        #expect(notes?["restore"]?.contains("rolled back") == true, "\(ready.body)")
        #expect(notes?["restore"]?.contains("/") == false, "no path on the open probe: \(ready.body)")
        #expect(Self.names(app.dataDirectory).contains { $0.hasPrefix("neural-terminal.db.failed-restore-") })
    }

    /// A copy of the backup `good` changed with the sqlite3 CLI, compressed with a manifest that matches it.
    static func forge(_ app: Appliance, from good: String, named name: String, sql: String) async throws -> String {
        let plain = app.directory.path + "/forge.db"
        defer { try? FileManager.default.removeItem(atPath: plain) }
        _ = try Zstd.decompress(input: app.backupDirectory + "/" + good, output: plain)
        let edit = try await Appliance.run("/usr/bin/sqlite3", [plain, sql])
        #expect(edit.code == 0, "sqlite3: \(edit.stderr)")
        let output = try Zstd.compress(input: plain, output: app.backupDirectory + "/" + name, level: 3)
        try Self.manifest(app, like: good, for: name, databaseBytes: output.inputBytes, sha256: output.sha256)
        return name
    }

    /// 1 GiB of zeros compressed by the zstd CLI (tens of kilobytes), its manifest claiming `claimed` bytes.
    static func bomb(_ app: Appliance, from good: String, named name: String, claimed: Int, sha256: String?) async throws -> String {
        let path = app.backupDirectory + "/" + name
        let made = try await Appliance.run("/bin/sh", ["-c", "head -c 1073741824 /dev/zero | zstd -q -1 -o '\(path)'"])
        #expect(made.code == 0, "zstd: \(made.stderr)")
        try Self.manifest(app, like: good, for: name, databaseBytes: claimed, sha256: try sha256 ?? BackupCatalog.hashFile(path))
        return name
    }

    static func manifest(_ app: Appliance, like good: String, for name: String, databaseBytes: Int, sha256: String) throws {
        var manifest = try BackupManifest.read(forBackup: app.backupDirectory + "/" + good)
        let path = app.backupDirectory + "/" + name
        manifest.file = name
        manifest.databaseBytes = databaseBytes
        manifest.compressedBytes = try #require(FileOps.size(path))
        manifest.sha256 = sha256
        try FileOps.writeSmall(path + ".json", manifest.encoded())
    }

    static func names(_ directory: String) -> Set<String> {
        Set(FileOps.list(directory).filter { !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") })
    }
}

/// Samples the total size of a folder's files every 10 ms until stopped; `stop()` returns the largest seen.
final class FolderWatcher: Sendable {
    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var largest = 0
        var running = true
    }
    private let state = State()
    private let task: Task<Void, Never>

    init(_ directory: String) {
        let state = self.state
        task = Task.detached {
            while state.lock.withLock({ state.running }) {
                let bytes = FolderWatcher.bytes(in: directory)
                state.lock.withLock { state.largest = max(state.largest, bytes) }
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    func stop() async -> Int {
        state.lock.withLock { state.running = false }
        await task.value
        return state.lock.withLock { state.largest }
    }

    static func bytes(in directory: String) -> Int {
        FileOps.list(directory).reduce(0) { total, name in
            total + ((try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? Int) ?? 0)
        }
    }
}

/// Kills (SIGKILL) the first `times` processes running `worker <role>` under `parent`, other than `sparing`, as soon
/// as they appear; `stop()` returns how many it killed.
final class WorkerKiller: Sendable {
    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var killed: Set<Int32> = []
        var running = true
    }
    private let state = State()
    private let task: Task<Void, Never>

    init(role: String, parent: Int32, sparing: Int32, times: Int) {
        let state = self.state
        task = Task.detached {
            while state.lock.withLock({ state.running && state.killed.count < times }) {
                for pid in WorkerKiller.workers(role, of: parent) where pid != sparing {
                    state.lock.withLock {
                        guard state.killed.count < times, state.killed.insert(pid).inserted else { return }
                        kill(pid, SIGKILL)
                    }
                }
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    func stop() async -> Int {
        state.lock.withLock { state.running = false }
        await task.value
        return state.lock.withLock { state.killed.count }
    }

    /// The children of `parent` whose command line ends in `worker <role>`.
    static func workers(_ role: String, of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")"),
                  stat[stat.index(after: close)...].split(separator: " ").dropFirst().first == "\(parent)",
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return cmdline.split(separator: 0).suffix(2).map { String(decoding: $0, as: UTF8.self) } == ["worker", role]
        }
    }
}
