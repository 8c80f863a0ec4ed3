import Foundation
import Testing

/// `/ready`'s upstream key check against the fake's `/api/v1/key`: valid with credit, invalid, unreachable.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct UpstreamKeyTests {
    static let valid = "sk-or-v1-" + String(repeating: "1234abcd", count: 8)
    static let invalid = "sk-or-v1-" + String(repeating: "dead0bad", count: 8)

    static func config(baseURL: String, extra: String = "") -> String {
        "upstream.base_url = \"\(baseURL)\"\nupstream.default_model = \"fake/lorem\"\n" + extra
    }

    @Test func aValidKeyIsReadyAndReportsOnlyItsRemainingCredit() async throws {
        let fake = try FakeUpstream(arguments: ["--key-limit", "10"])
        defer { fake.stop() }
        let app = try Appliance(extraConfig: Self.config(baseURL: fake.baseURL), environment: ["OPENROUTER_API_KEY": Self.valid])
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        let ready = try await app.waitForKeyState("valid")
        #expect(ready.status == 200)
        #expect(ready.notes["upstream"] == "api key valid; 10.00 USD credit left of the key's limit")
        let body = try app.metrics("/ready").body
        #expect(!body.contains("fak...key") && !body.contains("1234abcd"), "label or key in /ready: \(body)")
        let diagnostics = try await RawHTTP.send("GET", port: app.webPort, path: "/api/diagnostics")
        #expect((diagnostics.object?["checks"] as? [String: String])?["upstream"] == "ok")
        try await eventually(timeout: 5, "neural_terminal_upstream_key_valid 1") {
            try app.metricValue("neural_terminal_upstream_key_valid{worker=\"web\"}") == 1
        }
    }

    @Test func anInvalidKeyMakesReadyFailUntilAGoodKeyIsReloaded() async throws {
        let fake = try FakeUpstream(arguments: ["--invalid-key", Self.invalid])
        defer { fake.stop() }
        let keyFile = try SecretFiles.write(Self.invalid, name: "openrouter_api_key")
        defer { SecretFiles.remove(keyFile) }
        let app = try Appliance(extraConfig: Self.config(baseURL: fake.baseURL, extra: "upstream.api_key_file = \"\(keyFile)\"\n"))
        defer { Task { await app.stop() } }

        let refused = try await app.waitForKeyState("invalid")
        #expect(refused.status == 503)
        #expect(refused.checks["database"] == "ok")
        #expect(refused.notes["upstream"]?.hasPrefix("api key invalid") == true)
        let diagnostics = try await RawHTTP.send("GET", port: app.webPort, path: "/api/diagnostics")
        #expect((diagnostics.object?["checks"] as? [String: String])?["upstream"]?.hasPrefix("invalid api key") == true)

        try SecretFiles.rewrite(keyFile, Self.valid)
        app.signal(SIGHUP)
        let fixed = try await app.waitForKeyState("valid")
        #expect(fixed.status == 200)
        #expect(fixed.notes["upstream"]?.hasPrefix("api key valid; no credit limit") == true)
    }

    @Test func anUnreachableUpstreamLeavesTheKeyUnknownAndTheApplianceReady() async throws {
        let closed = try Appliance.freePort()
        let app = try Appliance(
            extraConfig: Self.config(baseURL: "http://127.0.0.1:\(closed)/api/v1", extra: "upstream.connect_timeout_seconds = 1\n"),
            environment: ["OPENROUTER_API_KEY": Self.valid]
        )
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        try await eventually(timeout: 15, "the first key check done") {
            (try? app.readiness().notes["upstream"])?.contains("unreachable") == true
        }
        let ready = try app.readiness()
        #expect(ready.status == 200)
        #expect(ready.checks["upstream_key"] == "unknown")
        #expect(ready.notes["upstream"] == "api key not verified: upstream unreachable (connect)")
    }
}
