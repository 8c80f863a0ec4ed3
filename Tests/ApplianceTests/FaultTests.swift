import Foundation
import NTStorage
import NTWorkerKit
import Synchronization
import Testing

/// The appliance keeps serving, and says what is wrong, under faults of its host: workers killed from outside, a
/// crash loop, a database locked by another process.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct FaultTests {
    @Test func workersKilledAfterTheyWereReadyNeverStopTheAppliance() async throws {
        let app = try Appliance(extraConfig: "supervisor.crash_loop_max_restarts = 2\nsupervisor.crash_loop_window_seconds = 600\n")
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        for round in 1...4 {
            let old = try #require(try await app.status().worker(.web)?.pid)
            kill(old, SIGKILL)
            try await eventually(timeout: 15, "a new ready web worker after kill \(round)") {
                guard let web = try? await app.status().worker(.web) else { return false }
                return web.pid != old && web.ready
            }
        }
        #expect(await app.waitForExit(timeout: 0.5) == nil, "four kills of a ready worker are not a crash loop")
        #expect(try await app.status().worker(.web)?.restarts == 4)
        try await app.waitUntilReady()
        #expect(!app.logLines().contains { $0.contains("crash-looping") })
    }

    @Test func aCrashLoopStopsTheApplianceWithoutWaitingOutTheGracePeriod() async throws {
        let app = try Appliance(
            extraConfig: "supervisor.crash_loop_max_restarts = 2\n", environment: ["NEURAL_TERMINAL_FAULT": "crash-at-start:maintenance"],
            grace: 30
        )
        defer { Task { await app.stop() } }
        let code = await app.waitForExit(timeout: 60)
        #expect(code == 70)
        #expect(app.logLines().contains { $0.contains("crash-looping") })
        #expect(!app.logLines().contains { $0.contains("outlived the grace period") },
                "the draining workers were reaped, not killed at the end of the grace period")
    }

    @Test func aWorkerThatCannotStartSaysWhyInAJSONLineLikeEveryOther() async throws {
        let app = try Appliance(extraConfig: "supervisor.crash_loop_max_restarts = 2\n")
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        // The database file becomes something SQLite cannot open, then the web worker dies: its successors cannot
        // start (SQLite's "unable to open database file").
        let data = app.directory.path + "/data/"
        for suffix in ["", "-wal", "-shm"] { rename(data + "neural-terminal.db" + suffix, data + "moved.db" + suffix) }
        mkdir(data + "neural-terminal.db", 0o700)
        kill(try #require(try await app.status().worker(.web)?.pid), SIGKILL)

        #expect(await app.waitForExit(timeout: 30) == 70)
        let lines = app.logLines().filter { !$0.isEmpty }
        let unreadable = lines.filter { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) == nil }
        #expect(unreadable.isEmpty, "every log line is JSON, a start-up failure included: \(unreadable.prefix(3))")
        #expect(lines.contains { $0.contains("worker cannot start") && $0.contains("sqlite error 14") })
        #expect(lines.contains { $0.contains("crash-looping") })
    }

    @Test func aWorkerOverItsMemoryLimitSoonAfterItStartsIsReplacedLessAndLessOften() async throws {
        let app = try Appliance(
            extraConfig: "memory.limit_mb = 64\nmemory.sample_interval_seconds = 0.2\nmemory.samples_over_limit = 1\nbackup.interval_minutes = 0\n",
            environment: ["NEURAL_TERMINAL_FAULT": "leak:web:50"]
        )
        defer { Task { await app.stop() } }
        let tooLow = "memory.limit_mb is probably too low"
        try await eventually(timeout: 40, "three replacements of a worker that was over its limit at once") {
            app.logLines().filter { $0.contains(tooLow) }.count >= 3
        }
        let waits = app.logLines().filter { $0.contains(tooLow) }.prefix(3).map { line in
            line.components(separatedBy: "\"next_replacement_after_ms\":\"").dropFirst().first?.prefix { $0.isNumber } ?? ""
        }
        #expect(waits == ["1000", "2000", "4000"], "each replacement of a worker too young holds the next one off twice as long")
        #expect(processExists(app.pid), "the appliance is still up")
    }

    @Test func aShutdownRefusesNewConnectionsWhileAcceptedStreamsFinish() async throws {
        let fake = try FakeUpstream(arguments: ["--tokens", "400", "--token-delay-ms", "20"])
        defer { fake.stop() }
        let app = try Appliance(extraConfig: ChatTests.upstreamConfig(fake), environment: ["OPENROUTER_API_KEY": ChatTests.key], grace: 20)
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        let ended = Atomic<Bool>(false)
        let streaming = Task {
            defer { ended.store(true, ordering: .releasing) }
            return try await ChatTests.chat(app, "a long answer, please")
        }
        try await Task.sleep(for: .milliseconds(500))

        app.signal(SIGTERM)
        // The refusal is immediate once the supervisor has had the worker close its listener, not after the worker's
        // two-second pause before quiescing, which the open stream would otherwise keep it in.
        try await eventually(timeout: 10, "the supervisor saying the web listener is closed") {
            app.logLines().contains { $0.contains("web listeners closed") && $0.contains(": closed") }
        }
        #expect(Self.connectionRefused(port: app.webPort), "refused as soon as the listener is closed")
        let endedBeforeRefusal = ended.load(ordering: .acquiring)
        #expect(!endedBeforeRefusal, "refused while the accepted answer (about 8 s) was still streaming")
        let answer = try await streaming.value
        #expect(answer.status == 200)
        #expect(answer.json("done").first?["status"] as? String == "complete", "the accepted stream finished: \(answer.body.suffix(300))")
        #expect(await app.waitForExit(timeout: 30) == 0)
    }

    /// Whether a TCP connection to `port` on loopback is refused at once (nothing listens), rather than accepted.
    static func connectionRefused(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return rc != 0 && errno == ECONNREFUSED
    }

    @Test func aDatabaseLockedByAnotherProcessKeepsReadsServedAndRefusesWritesAsBusy() async throws {
        let app = try Appliance()
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        let created = try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: #"{"title":"before"}"#)
        #expect(created.status == 201)

        let other = try SQLiteDatabase(path: app.directory.path + "/data/neural-terminal.db")
        try other.execute("BEGIN IMMEDIATE")
        let list = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations")
        #expect(list.status == 200, "reads are served while another process holds the write lock")
        let refused = try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: #"{"title":"during"}"#)
        #expect(refused.status == 503)
        #expect(refused.object.flatMap { ($0["error"] as? [String: Any])?["code"] as? String } == "storage_busy")
        #expect(refused.headers["retry-after"] != nil)
        try await eventually(timeout: 20, "/ready saying the database is locked") {
            let ready = try app.metrics("/ready")
            return ready.status == 503 && ready.body.contains(#""database":"locked""#)
        }

        try other.execute("COMMIT")
        try await app.waitUntilReady()
        let after = try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: #"{"title":"after"}"#)
        #expect(after.status == 201)
    }
}
