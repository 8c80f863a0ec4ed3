import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// An appliance with every optional metric switched on (budgets, a key with a credit limit at the fake upstream,
/// rate limits), and a small workload after which every metric family of docs/metrics.md has samples: answers of
/// two models, one upstream error after a retry and one with a code of the upstream's own, an answer without usage
/// (estimated, then reconciled), a backup, a backup and
/// an archive run refused by a held lock, and, after a SIGHUP that tightens the limits, one rate-limit refusal and
/// one budget refusal. Always `stop()` it.
struct MetricsWorkload {
    let fake: FakeUpstream
    let app: Appliance

    /// The breaker's failure ratio and the chat rate limit need more turns than the workload makes.
    static let config = """
        budget.daily_usd = 5
        budget.monthly_usd = 50
        retry.max_attempts = 1
        breaker.min_requests = 1000
        limits.chat_burst = 100
        """
    /// After the SIGHUP: the daily budget below what was spent, one API request a minute.
    static let tightened = """
        budget.daily_usd = 0.000001
        budget.monthly_usd = 50
        retry.max_attempts = 1
        breaker.min_requests = 1000
        limits.chat_burst = 100
        limits.api_requests_per_minute = 1
        limits.api_burst = 1
        """

    static func start() async throws -> MetricsWorkload {
        let fake = try FakeUpstream(arguments: ["--key-limit", "10"])
        let app = try Appliance(
            extraConfig: ChatTests.upstreamConfig(fake, extra: config), environment: ["OPENROUTER_API_KEY": ChatTests.key],
            rateLimited: true
        )
        let workload = MetricsWorkload(fake: fake, app: app)
        do {
            try await app.waitUntilReady()
        } catch {
            await workload.stop()
            throw error
        }
        return workload
    }

    func stop() async {
        await app.stop()
        fake.stop()
    }

    /// - Parameter between: when given, runs after the first answers, and the answers are asked again after it:
    ///   a scraper that took its first sample in between sees histograms and counters move.
    func run(between: (() async throws -> Void)? = nil) async throws {
        try await answers()
        if let between {
            try await between()
            try await answers()
        }

        #expect(try await app.cli(["backup", "--json"]).code == 0)
        let busyBackup = try await withLockHeld(on: app.backupDirectory) { try await app.cli(["backup", "--json"]) }
        #expect(busyBackup.code == 1, "a backup while another holds the lock fails: \(busyBackup.stdout)")
        let busyArchive = try await withLockHeld(on: app.dataDirectory + "/archives") { try await app.cli(["archive"]) }
        #expect(busyArchive.code == 1, "an archive run while another holds the lock fails: \(busyArchive.stdout)")

        let reloads = reloadsOfTheWebWorker()
        try app.writeConfig(ChatTests.upstreamConfig(fake, extra: Self.tightened))
        app.signal(SIGHUP)
        try await eventually(timeout: 10, "the web worker reloaded") { reloadsOfTheWebWorker() > reloads }
        let refused = try await ChatTests.chat(app, "over budget", model: "fake/lorem")
        #expect((refused.object?["error"] as? [String: Any])?["code"] as? String == "budget_exceeded", "\(refused.body)")
        var statuses: [Int] = []
        for _ in 0..<3 { statuses.append(try await RawHTTP.send("GET", port: app.webPort, path: "/api/version").status) }
        #expect(statuses.contains(429), "\(statuses)")
    }

    /// Two complete answers, one upstream error after a retry, one with a code of the upstream's own.
    private func answers() async throws {
        for model in ["fake/lorem", "fake/reasoning"] {
            let answer = try await ChatTests.chat(app, "hello", model: model)
            #expect(answer.json("done").first?["status"] as? String == "complete", "\(model): \(answer.body)")
        }
        let retried = try await ChatTests.chat(app, "fail", model: "fake/http-503")
        #expect(retried.json("error").first?["code"] as? String == "upstream_503")
        let ownCode = try await ChatTests.chat(app, "fail", model: "fake/midstream-error-nodone")
        #expect(ownCode.json("error").first?["code"] as? String == "upstream_server_error")
        // An answer without usage is estimated, then reconciled from the fake's generation record.
        let estimated = try await ChatTests.chat(app, "hello", model: "fake/no-usage")
        let conversation = try #require(estimated.json("meta").first?["conversation_id"] as? String)
        try await eventually(timeout: 20, "the estimated answer reconciled") {
            try await ChatTests.storedMessages(app, conversation).last?["cost_source"] as? String == "reconciled"
        }
    }

    private func reloadsOfTheWebWorker() -> Int {
        app.logObjects().filter { $0["msg"] as? String == "configuration reloaded in place" && $0["worker"] as? String == "web" }.count
    }

    /// Runs `body` while this process holds the lock a backup or archive run takes on `directory`.
    private func withLockHeld<T>(on directory: String, _ body: () async throws -> T) async throws -> T {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fd = open(directory + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        defer { close(fd) }
        try #require(flock(fd, LOCK_EX | LOCK_NB) == 0)
        return try await body()
    }
}
