import Foundation
import Testing

/// What the appliance writes to stdout: JSON, one object per line, never a secret.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct LogTests {
    static let canaryKey = "sk-or-v1-canary0123456789abcdef0123456789abcdef"

    @Test func everyLineIsJSONAndNoPlantedSecretOrEmailIsEverWritten() async throws {
        let app = try Appliance(environment: ["OPENROUTER_API_KEY": Self.canaryKey])
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()

        _ = try app.get("/api/version?key=\(Self.canaryKey)&contact=someone@example.com")
        let refused = try app.get("/nowhere?token=\(Self.canaryKey)", headers: ["X-Request-ID": "evil\" \"injected"])
        #expect(refused.status == 404)
        #expect(refused.header("x-request-id")?.contains("evil") == false)
        app.signal(SIGHUP)
        try await eventually(timeout: 3, "the request lines logged") {
            app.logLines().filter { $0.contains("\"request\"") }.count >= 2
        }
        app.signal(SIGTERM)
        _ = await app.waitForExit(timeout: 6)

        let lines = app.logLines()
        #expect(lines.count > 10)
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(line)")
            if let object {
                for key in ["ts", "level", "msg", "worker", "pid"] { #expect(object[key] != nil, "\(key) missing: \(line)") }
            }
            #expect(!line.contains("canary0123456789abcdef"), "secret leaked: \(line)")
            #expect(!line.contains("someone@example.com"), "email leaked: \(line)")
        }
        let requests = app.logObjects().filter { $0["msg"] as? String == "request" }
        #expect(requests.allSatisfy { ($0["request_id"] as? String)?.isEmpty == false })
        #expect(!lines.contains { $0.contains("injected") })
    }
}
