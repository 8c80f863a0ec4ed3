import Foundation
import NTWorkerKit
import Testing

/// The memory watchdog against the real binary: a web worker that leaks is replaced, and no request fails.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct WatchdogTests {
    @Test func aLeakingWebWorkerIsReplacedWithoutAFailedRequest() async throws {
        let app = try Appliance(
            extraConfig: """
                memory.limit_mb = 200
                memory.sample_interval_seconds = 0.2
                memory.samples_over_limit = 3
                backup.interval_minutes = 0

                """,
            environment: ["NEURAL_TERMINAL_FAULT": "leak:web:50"]
        )
        defer { Task { await app.stop() } }
        // A leaking worker is replaced every few seconds, so wait for a moment when all are ready, for longer.
        try await app.waitUntilReady(timeout: 40)
        let firstPID = try #require(try await app.status().worker(.web)?.pid)

        let log = LatencyLog(), stop = StopFlag()
        let clients = (0..<3).map { _ in
            Task {
                while !(await stop.isSet) {
                    let start = Date()
                    do {
                        let answer = try await RawHTTP.send("GET", port: app.webPort, path: "/api/version", timeout: 10)
                        if answer.status == 200 { await log.record(Date().timeIntervalSince(start)) } else { await log.fail("status \(answer.status)") }
                    } catch {
                        await log.fail("\(error)")
                    }
                }
            }
        }
        try await eventually(timeout: 30, "two watchdog replacements of the web worker") {
            (try app.metricValue("neural_terminal_worker_watchdog_restarts_total{worker=\"web\"}") ?? 0) >= 2
        }
        try await Task.sleep(for: .milliseconds(500))
        await stop.set()
        for task in clients { await task.value }

        let failures = await log.failures
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        #expect(await log.samples.count > 50)
        print("watchdog: \(await log.samples.count) requests across the replacements, p99 \(String(format: "%.1f", await log.quantileMs(0.99))) ms, none failed")
        #expect(try await app.status().worker(.web)?.pid != firstPID)
        #expect(try app.metricValue("neural_terminal_worker_watchdog_restarts_total{worker=\"maintenance\"}") == 0)
        #expect(try app.metricValue("neural_terminal_worker_watchdog_restarts_total{worker=\"metrics\"}") == 0)
        #expect(app.logLines().contains { $0.contains("memory watchdog: worker over its limit") && $0.contains("\"role\":\"web\"") })
        #expect(app.pid > 0 && processExists(app.pid), "the appliance is still up")
    }
}
