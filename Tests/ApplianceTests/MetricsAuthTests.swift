import Foundation
import Testing

/// `metrics.bearer_token_file`: `/metrics` needs the token, `/health` and `/ready` stay open, SIGHUP rotates it.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct MetricsAuthTests {
    static let token = "metrics-token-5f1c9a7e3b2d4c6e8a0b"
    static let rotated = "metrics-token-rotated-77aa55cc33ee"

    @Test func metricsNeedsTheBearerTokenWhileProbesStayOpen() async throws {
        let path = try SecretFiles.write(Self.token)
        defer { SecretFiles.remove(path) }
        let app = try Appliance(extraConfig: "metrics.bearer_token_file = \"\(path)\"\n")
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()

        let anonymous = try app.metrics("/metrics")
        #expect(anonymous.status == 401)
        #expect(anonymous.header("www-authenticate") == #"Bearer realm="metrics""#)
        #expect(!anonymous.body.contains("process_"))
        let wrong = try app.get("/metrics", port: app.metricsPort, headers: ["Authorization": "Bearer \(Self.token)x"])
        #expect(wrong.status == 401)
        #expect(wrong.header("www-authenticate")?.contains(#"error="invalid_token""#) == true)
        let basic = try app.get("/metrics", port: app.metricsPort, headers: ["Authorization": "Basic \(Self.token)"])
        #expect(basic.status == 401)
        let scraped = try app.get("/metrics", port: app.metricsPort, headers: ["Authorization": "Bearer \(Self.token)"])
        #expect(scraped.status == 200)
        #expect(scraped.body.contains("neural_terminal_worker_up"))
        #expect(try app.metrics("/health").status == 200)
        #expect(try app.metrics("/ready").status == 200)

        // SIGHUP re-reads the file: the new token works, the old one no longer does.
        try SecretFiles.rewrite(path, Self.rotated)
        app.signal(SIGHUP)
        try await eventually(timeout: 10, "the rotated token accepted") {
            (try? app.get("/metrics", port: app.metricsPort, headers: ["Authorization": "Bearer \(Self.rotated)"]).status) == 200
        }
        #expect(try app.get("/metrics", port: app.metricsPort, headers: ["Authorization": "Bearer \(Self.token)"]).status == 401)

        app.signal(SIGTERM)
        _ = await app.waitForExit(timeout: 10)
        let lines = app.logLines()
        #expect(lines.contains { $0.contains("metrics scrape refused") })
        for line in lines {
            #expect(!line.contains("5f1c9a7e3b2d") && !line.contains("rotated-77aa55"), "token leaked: \(line)")
        }
    }

    @Test func withoutATokenMetricsIsOpenAndProbesRevealNoVersionsOrPaths() async throws {
        let app = try Appliance()
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        #expect(try app.metrics("/metrics").status == 200)
        let ready = try app.metrics("/ready")
        let health = try app.metrics("/health")
        #expect(health.body == #"{"status":"ok"}"#)
        for body in [ready.body, health.body] {
            #expect(!body.contains(app.directory.path), "a path in \(body)")
            #expect(!body.lowercased().contains("sqlite") && !body.contains("version"), "a version in \(body)")
        }
        let backup = try app.readiness().notes["backup"] ?? ""
        #expect(!backup.contains("/") && !backup.contains(".db"), "a backup path or file name in /ready: \(backup)")
    }
}
