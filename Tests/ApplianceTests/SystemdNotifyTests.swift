import Foundation
import NTSystem
import NTWorkerKit
import Testing

/// The appliance under systemd (`Type=notify`): what the service manager hears on `$NOTIFY_SOCKET` while the
/// appliance starts, loses a worker, reloads (a good and a bad file) and stops, and the watchdog's pings.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct SystemdNotifyTests {
    @Test func readyOnlyOnceEveryWorkerIsReadyThenReloadingAndStoppingAroundSignals() async throws {
        let listener = try NotifyListener()
        defer { listener.close() }
        // systemd watches another process: the supervisor must not ping.
        let app = try Appliance(environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000", "WATCHDOG_PID": "1"])
        defer { Task { await app.stop() } }

        // Whenever READY=1 had arrived before a look, that look must find every worker ready and /ready 200.
        try await eventually(timeout: 20, "READY=1") {
            let announced = !listener.messages(with: "READY").isEmpty
            let status = try await app.status()
            if announced {
                let everyWorkerReady = status.workers.allSatisfy(\.ready)
                #expect(everyWorkerReady, "READY=1 before every worker was ready: \(status.workers)")
                #expect(try app.metrics("/ready").status == 200)
            }
            return announced
        }
        let ready = try #require(listener.messages(with: "READY").first)
        let startUp = listener.messages.prefix { $0.fields["READY"] == nil }.compactMap { $0.fields["STATUS"] }
        #expect(startUp == ["starting: 1 of 3 workers ready", "starting: 2 of 3 workers ready"])
        #expect(ready.fields["STATUS"]?.contains("serving on 127.0.0.1:\(app.webPort)") == true, "\(ready.text)")
        #expect(ready.fields["STATUS"]?.hasSuffix("3 workers ready") == true, "\(ready.text)")
        let workers = try await app.status().workers.compactMap(\.pid)
        #expect(workers.count == 3)
        for pid in workers {
            let environment = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))) ?? Data()
            let names = environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self).prefix { $0 != "=" } }
            #expect(!names.contains("NOTIFY_SOCKET") && !names.contains("WATCHDOG_USEC"), "worker \(pid) may notify systemd")
        }

        // A dead worker: the status line says so, then that the appliance is whole again (no second READY=1).
        let maintenance = try #require(try await app.status().worker(.maintenance)?.pid)
        kill(maintenance, SIGKILL)
        try await eventually(timeout: 10, "the restart announced, then 3 workers ready again") {
            let statuses = listener.messages.compactMap { $0.fields["STATUS"] }
            guard let restart = statuses.lastIndex(where: { $0.hasPrefix("restarting maintenance worker") }) else { return false }
            return statuses[restart...].contains { $0.hasSuffix("3 workers ready") }
        }
        #expect(listener.messages(with: "READY").count == 1)

        // A good reload, then a refused one: RELOADING=1 with the monotonic time of the reload, then READY=1.
        try await reload(app, listener, file: app.baseConfig() + "log.level = \"debug\"\n", refused: false)
        try await reload(app, listener, file: app.baseConfig() + "server.listn = \"x\"\n", refused: true)
        #expect(try app.metrics("/ready").status == 200)

        app.signal(SIGTERM)
        #expect(await app.waitForExit(timeout: 10) == 0)
        let stopping = try #require(listener.messages(with: "STOPPING").first)
        #expect(stopping.fields["STATUS"]?.hasPrefix("stopping") == true, "\(stopping.text)")
        #expect(listener.messages.last?.fields["READY"] == nil, "READY=1 after STOPPING=1")

        #expect(listener.messages(with: "WATCHDOG").isEmpty, "pinged although WATCHDOG_PID names another process")
        for message in listener.messages {
            #expect(message.pid == app.pid, "a message from pid \(message.pid), not the supervisor: \(message.text)")
        }
    }

    @Test func theWatchdogIsPingedAtHalfItsInterval() async throws {
        let listener = try NotifyListener()
        defer { listener.close() }
        let started = Date()
        let app = try Appliance(environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000"])
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()

        try await eventually(timeout: 10, "at least 5 watchdog pings") { listener.messages(with: "WATCHDOG").count >= 5 }
        let pings = listener.messages(with: "WATCHDOG")
        // Never more often than every 200 ms (the supervisor sleeps that long between two).
        #expect(Double(pings.count) <= Date().timeIntervalSince(started) / 0.2 + 1, "\(pings.count) pings")
        #expect(pings.allSatisfy { $0.text == "WATCHDOG=1\n" && $0.pid == app.pid })
    }

    /// Writes `file`, sends SIGHUP and checks the RELOADING=1 … READY=1 pair that follows.
    private func reload(_ app: Appliance, _ listener: NotifyListener, file: String, refused: Bool) async throws {
        let before = listener.messages.count
        try file.write(toFile: app.configPath, atomically: true, encoding: .utf8)
        let signalled = SystemdNotifier.monotonicMicroseconds()
        app.signal(SIGHUP)
        try await eventually(timeout: 10, "READY=1 after the reload") {
            listener.messages.dropFirst(before).contains { $0.fields["READY"] != nil }
        }
        let done = SystemdNotifier.monotonicMicroseconds()
        let after = Array(listener.messages.dropFirst(before))
        let reloading = try #require(after.firstIndex { $0.fields["RELOADING"] == "1" }, "no RELOADING=1: \(after.map(\.text))")
        let readyAgain = try #require(after.firstIndex { $0.fields["READY"] == "1" })
        #expect(reloading < readyAgain)
        let stamp = try #require(after[reloading].fields["MONOTONIC_USEC"].flatMap(UInt64.init), "\(after[reloading].text)")
        #expect(signalled <= stamp && stamp <= done, "MONOTONIC_USEC \(stamp) is not CLOCK_MONOTONIC between \(signalled) and \(done) (CLOCK_MONOTONIC, checked in SystemdNotifierTests)")
        let status = after[readyAgain].fields["STATUS"] ?? ""
        #expect(status.contains("refused") == refused, "\(status)")
        #expect(status.hasSuffix("3 workers ready"), "\(status)")
    }
}
