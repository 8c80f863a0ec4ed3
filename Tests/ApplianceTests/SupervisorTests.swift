import Foundation
import NTWorkerKit
import Testing

/// The supervisor and its workers, driven as an operator would: real binary, real signals, loopback ports.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct SupervisorTests {
    @Test func servesHealthReadinessVersionAndMetricsOnceStarted() async throws {
        let app = try Appliance()
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()

        #expect(try app.metrics("/health").status == 200)
        let version = try app.get("/api/version", headers: ["X-Request-ID": "test-correlation-1"])
        #expect(version.status == 200)
        #expect(version.body.contains("\"name\":\"neural-terminal\""))
        #expect(version.header("x-request-id") == "test-correlation-1")
        #expect(version.header("content-security-policy")?.contains("default-src 'self'") == true)
        #expect(version.header("x-content-type-options") == "nosniff")

        let metrics = try app.metrics("/metrics")
        #expect(metrics.status == 200)
        for role in ["web", "metrics", "maintenance"] {
            #expect(metrics.body.contains("neural_terminal_worker_up{worker=\"\(role)\"} 1"))
            #expect(metrics.body.contains("process_resident_memory_bytes{worker=\"\(role)\"}"))
        }
        #expect(metrics.body.contains("process_resident_memory_bytes{worker=\"supervisor\"}"))
    }

    @Test(arguments: WorkerRole.allCases)
    func aKilledWorkerIsBackAndReadyWithinTwoSeconds(role: WorkerRole) async throws {
        let app = try Appliance()
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        let before = try #require(try await app.status().worker(role))
        let oldPID = try #require(before.pid)

        kill(oldPID, SIGKILL)
        try await eventually(timeout: 2, "\(role) replaced and /ready 200") {
            let now = try await app.status().worker(role)
            guard let now, let pid = now.pid, pid != oldPID, now.ready else { return false }
            return try app.metrics("/ready").status == 200
        }
        #expect(try await app.status().worker(role)?.restarts == before.restarts + 1)
        try await eventually(timeout: 1, "no zombie left") { zombieChildren(of: app.pid).isEmpty }
    }

    @Test func sigtermStopsEveryProcessAndExitsZeroWithinTheGracePeriod() async throws {
        let app = try Appliance()
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        let pids = try await app.status().workers.compactMap(\.pid)
        #expect(pids.count == 3)

        app.signal(SIGTERM)
        let code = await app.waitForExit(timeout: 6)
        #expect(code == 0)
        for pid in pids { #expect(!processExists(pid), "worker \(pid) outlived the supervisor") }
        #expect(app.logLines().contains { $0.contains("\"supervisor stopped\"") })
    }

    @Test func sighupWithABrokenFileKeepsServingAndLogsFileAndLine() async throws {
        let app = try Appliance()
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()

        try (app.baseConfig() + "log.level = \"loud\"\nserver.listn = \"x\"\n").write(toFile: app.configPath, atomically: true, encoding: .utf8)
        app.signal(SIGHUP)
        try await eventually(timeout: 3, "the refusal logged with file:line") {
            app.logLines().contains { $0.contains("config reload refused") && $0.contains("\(app.configPath):7") }
        }
        #expect(app.logLines().contains { $0.contains("config reload refused") && $0.contains("did you mean") })
        #expect(try app.metrics("/ready").status == 200)
        #expect(try app.get("/api/version").status == 200)
    }

    @Test func sighupAppliesANewLogLevelToEveryProcess() async throws {
        let app = try Appliance(extraConfig: "maintenance.tick_seconds = 1\n")
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        #expect(!app.logLines().contains { $0.contains("\"level\":\"debug\"") })

        try app.writeConfig("maintenance.tick_seconds = 1\nlog.level = \"debug\"\n")
        app.signal(SIGHUP)
        try await eventually(timeout: 4, "a debug line from the maintenance worker") {
            app.logLines().contains { $0.contains("\"level\":\"debug\"") && $0.contains("\"worker\":\"maintenance\"") }
        }
    }

    @Test func aChangedListenAddressMovesTheWebWorkerWithoutDowntime() async throws {
        let app = try Appliance()
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        let newPort = try Appliance.freePort()

        try app.writeConfig("", web: newPort)
        app.signal(SIGHUP)
        try await eventually(timeout: 5, "the web worker serving on the new port") {
            try app.get("/api/version", port: newPort).status == 200
        }
        try await app.waitUntilReady()
    }

    @Test func theOldPortRefusesNewConnectionsAtOnceWhileItsAcceptedStreamFinishes() async throws {
        let fake = try FakeUpstream(arguments: ["--tokens", "300", "--token-delay-ms", "20"])
        defer { fake.stop() }
        let app = try Appliance(extraConfig: ChatTests.upstreamConfig(fake), environment: ["OPENROUTER_API_KEY": ChatTests.key], grace: 20)
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        let oldPort = app.webPort
        let streaming = Task { try await ChatTests.chat(app, "a long answer on the old port") }
        try await Task.sleep(for: .milliseconds(500))

        let newPort = try Appliance.freePort()
        try app.writeConfig(ChatTests.upstreamConfig(fake), web: newPort)
        app.signal(SIGHUP)
        try await eventually(timeout: 10, "the supervisor saying the old web listener is closed") {
            app.logLines().contains { $0.contains("web listeners closed") && $0.contains(": closed") }
        }
        #expect(FaultTests.connectionRefused(port: oldPort), "nobody takes the old socket over, so it refuses at once")
        #expect(try app.get("/api/version", port: newPort).status == 200)
        let answer = try await streaming.value
        #expect(answer.json("done").first?["status"] as? String == "complete", "the accepted stream finished: \(answer.body.suffix(300))")
    }

    @Test func aWorkerThatCrashesAtStartEndsInANonZeroExitAfterTheCrashLoopLimit() async throws {
        let app = try Appliance(
            extraConfig: "supervisor.crash_loop_max_restarts = 3\n",
            environment: ["NEURAL_TERMINAL_FAULT": "crash-at-start:maintenance"]
        )
        defer { Task { await app.stop() } }
        let code = await app.waitForExit(timeout: 20)
        #expect(code != nil && code != 0)
        #expect(app.logLines().contains { $0.contains("crash-looping") })
        #expect(zombieChildren(of: app.pid).isEmpty)
    }

    /// `status` against a control socket whose answer is not a status (an error line, an empty or foreign answer)
    /// says so in a sentence, never with a decoder's dump.
    @Test(arguments: ["error: the supervisor is busy", "", "{\"state\": 1}"])
    func statusExplainsAnAnswerItCannotRead(_ answer: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-status-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/data/run", withIntermediateDirectories: true)
        try "storage.data_dir = \"\(directory)/data\"\n".write(toFile: directory + "/nt.toml", atomically: true, encoding: .utf8)
        let server = try OneAnswerSocket(path: directory + "/data/run/control.sock", answer: answer)
        defer { server.close() }

        let result = try await Appliance.run(Appliance.binary, ["status", "--config", directory + "/nt.toml"])
        #expect(result.code != 0)
        #expect(result.stderr.contains("status: the appliance"), "\(result.stderr)")
        #expect(!(result.stdout + result.stderr).contains("DecodingError"), "\(result.stderr)")
    }
}

/// A Unix socket that answers every connection with one fixed text, then closes it.
final class OneAnswerSocket: Sendable {
    let fd: Int32

    init(path: String, answer: String) throws {
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        fd = listener
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        Thread.detachNewThread {
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                var request = [UInt8](repeating: 0, count: 4096)
                _ = read(client, &request, request.count)
                _ = answer.utf8CString.withUnsafeBytes { write(client, $0.baseAddress, $0.count - 1) }
                Glibc.close(client)
            }
        }
    }

    func close() { shutdown(fd, Int32(SHUT_RDWR)); Glibc.close(fd) }
}
