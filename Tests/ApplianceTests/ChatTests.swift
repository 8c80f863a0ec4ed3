import Foundation
import NTWorkerKit
import Testing

/// The chat engine end to end: the real binary against the fake OpenRouter, which speaks the real wire format.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ChatTests {
    static let key = "sk-or-v1-chattest0123456789abcdef0123456789abcdef"

    /// An appliance pointed at a fake upstream, with short upstream timeouts so stalls end quickly.
    static func start(_ fake: FakeUpstream, key: String? = ChatTests.key, extra: String = "") async throws -> Appliance {
        let app = try Appliance(
            extraConfig: upstreamConfig(fake, extra: extra),
            environment: key.map { ["OPENROUTER_API_KEY": $0] } ?? [:]
        )
        try await app.waitUntilReady()
        return app
    }

    /// The config lines of ``start(_:key:extra:)`` after the appliance's base config (for rewriting it on SIGHUP).
    static func upstreamConfig(_ fake: FakeUpstream, extra: String = "") -> String {
        """
        upstream.base_url = "\(fake.baseURL)"
        upstream.default_model = "fake/lorem"
        upstream.idle_timeout_seconds = 1
        upstream.first_byte_timeout_seconds = 1
        \(extra)
        """
    }

    /// Breaker and retries out of the way, for tests that look at one upstream fault at a time.
    static let noBreakerNoRetry = "breaker.failure_threshold = 1000\nbreaker.min_requests = 100000\nretry.max_attempts = 0\n"

    static func chat(_ app: Appliance, _ message: String, model: String? = nil, conversation: String? = nil) async throws -> RawHTTP.Answer {
        var body: [String: String] = ["message": message]
        if let model { body["model"] = model }
        if let conversation { body["conversation_id"] = conversation }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        return try await RawHTTP.send("POST", port: app.webPort, path: "/api/chat", json: json)
    }

    static func storedMessages(_ app: Appliance, _ conversation: String) async throws -> [[String: Any]] {
        let answer = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations/\(conversation)")
        return answer.object?["messages"] as? [[String: Any]] ?? []
    }

    @Test func aChatStreamsTokensRecordsCostAndSendsTheRightHeadersUpstream() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let app = try await Self.start(fake)
        defer { Task { await app.stop() } }

        let answer = try await Self.chat(app, "Tell me something")
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"]?.hasPrefix("text/event-stream") == true)
        let meta = try #require(answer.json("meta").first)
        let deltas = answer.json("delta").compactMap { $0["text"] as? String }
        #expect(deltas.count >= 5)
        let usage = try #require(answer.json("usage").first)
        #expect((usage["cost_usd"] as? Double ?? 0) > 0)
        #expect(answer.json("done").first?["status"] as? String == "complete")

        let conversation = try #require(meta["conversation_id"] as? String)
        let messages = try await Self.storedMessages(app, conversation)
        #expect(messages.map { $0["role"] as? String } == ["user", "assistant"])
        #expect(messages.last?["content"] as? String == deltas.joined())
        #expect(messages.last?["status"] as? String == "complete")
        #expect((messages.last?["cost_usd"] as? Double ?? 0) > 0)

        let last = try #require(try fake.stats()["last_request"] as? [String: Any])
        let headers = last["headers"] as? [String: Any] ?? [:]
        let lower = Dictionary(uniqueKeysWithValues: headers.map { ($0.key.lowercased(), "\($0.value)") })
        #expect(lower["authorization"] == "Bearer \(Self.key)")
        #expect(lower["x-request-id"] == meta["request_id"] as? String)
        #expect(lower["x-openrouter-title"] == "Neural Terminal")
    }

    /// Each scripted fault: the event the client sees and the state stored.
    static let faults: [(model: String, status: String, errorCode: String?)] = [
        ("fake/http-400", "error", "upstream_400"), ("fake/http-401", "error", "upstream_401"),
        ("fake/http-402", "error", "upstream_402"), ("fake/http-403", "error", "upstream_403"),
        ("fake/http-408", "error", "upstream_408"), ("fake/http-429", "error", "upstream_429"),
        ("fake/http-502", "error", "upstream_502"), ("fake/http-503", "error", "upstream_503"),
        ("fake/cut", "error", "stream_cut"), ("fake/midstream-error", "error", "upstream_502"),
        ("fake/midstream-error-nodone", "error", "upstream_server_error"), ("fake/malformed", "error", "upstream_malformed"),
        ("fake/stall", "error", "timeout_idle"), ("fake/stall-before-first-byte", "error", "timeout_first_byte"),
        ("fake/no-usage", "complete", nil), ("fake/crlf", "complete", nil), ("fake/bytewise", "complete", nil),
        ("fake/bom", "complete", nil), ("fake/multiline", "complete", nil), ("fake/done-in-text", "complete", nil),
        ("fake/reasoning", "complete", nil), ("fake/free", "complete", nil), ("fake/no-cost", "complete", nil),
    ]

    @Test func everyUpstreamFaultGivesItsDocumentedEventAndStoredState() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let app = try await Self.start(fake, extra: Self.noBreakerNoRetry)
        defer { Task { await app.stop() } }

        for fault in Self.faults {
            let answer = try await Self.chat(app, "fault test", model: fault.model)
            let done = answer.json("done").first
            #expect(done?["status"] as? String == fault.status, "\(fault.model): \(answer.body.suffix(300))")
            #expect(answer.json("error").first?["code"] as? String == fault.errorCode, "\(fault.model)")
            let conversation = try #require(answer.json("meta").first?["conversation_id"] as? String)
            let stored = try await Self.storedMessages(app, conversation)
            #expect(stored.count == 2, "\(fault.model): the user message is kept")
            #expect(stored.last?["status"] as? String == fault.status, "\(fault.model)")
            let streamed = answer.json("delta").compactMap { $0["text"] as? String }.joined()
            #expect(stored.last?["content"] as? String == streamed, "\(fault.model): what was relayed is what was kept")
            if fault.model == "fake/done-in-text" { #expect(streamed.contains("[DONE]")) }
            if fault.model == "fake/reasoning" {
                #expect(!answer.json("reasoning").isEmpty)
                #expect((stored.last?["reasoning"] as? String ?? "").isEmpty == false)
            }
        }
        #expect(try app.metrics("/ready").status == 200, "the appliance keeps serving after every fault")
    }

    @Test func stopEndsTheAnswerAndTheUpstreamSeesTheDisconnect() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let app = try await Self.start(fake)
        defer { Task { await app.stop() } }
        let conversation = try #require(try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: "{}").object?["id"] as? String)

        let streaming = Task { try await Self.chat(app, "long please", model: "fake/slow", conversation: conversation) }
        try await eventually(timeout: 5, "the answer streaming") {
            let stored = try await Self.storedMessages(app, conversation)
            return (stored.last?["content"] as? String ?? "").count > 10
        }
        let stop = try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations/\(conversation)/stop")
        #expect(stop.object?["stopped"] as? Bool == true)
        let answer = try await streaming.value
        #expect(answer.json("done").first?["status"] as? String == "stopped")
        try await eventually(timeout: 2, "the fake seeing the client go away") {
            (try fake.stats()["client_disconnects"] as? Int ?? 0) >= 1
        }
        let stored = try await Self.storedMessages(app, conversation)
        #expect(stored.last?["status"] as? String == "stopped")
        #expect((stored.last?["content"] as? String ?? "").count > 10)
    }

    @Test func killingTheWebWorkerMidStreamLeavesTheAnswerInterruptedWithItsText() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let app = try await Self.start(fake)
        defer { Task { await app.stop() } }
        let conversation = try #require(try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: "{}").object?["id"] as? String)
        let streaming = Task { try? await Self.chat(app, "long please", model: "fake/slow", conversation: conversation) }
        try await eventually(timeout: 5, "the partial answer flushed") {
            (try await Self.storedMessages(app, conversation).last?["content"] as? String ?? "").count > 10
        }
        let web = try #require(try await app.status().worker(.web)?.pid)
        kill(web, SIGKILL)
        _ = await streaming.value
        try await app.waitUntilReady()

        let stored = try await Self.storedMessages(app, conversation)
        #expect(stored.first?["content"] as? String == "long please")
        #expect(stored.last?["status"] as? String == "interrupted")
        #expect((stored.last?["content"] as? String ?? "").count > 10)
    }

    @Test func withoutAKeyTheApplianceServesAndTheChatSaysHowToSetOne() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let app = try await Self.start(fake, key: nil)
        defer { Task { await app.stop() } }

        let answer = try await Self.chat(app, "hello?")
        let error = try #require(answer.json("error").first)
        #expect(error["code"] as? String == "no_api_key")
        #expect((error["message"] as? String ?? "").contains("OPENROUTER_API_KEY"))
        #expect(app.logLines().contains { $0.contains("OPENROUTER_API_KEY") && $0.contains("\"worker\":\"web\"") })
        let ready = try app.metrics("/ready")
        #expect(ready.status == 200)
        #expect(ready.body.contains("OPENROUTER_API_KEY"))
    }

    @Test func badInputIsAClearErrorNeverA500() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let app = try await Self.start(fake)
        defer { Task { await app.stop() } }

        let cases: [(String, String, String?, Int)] = [
            ("POST", "/api/chat", "{\"message\": \"\"}", 400),
            ("POST", "/api/chat", "{not json", 400),
            ("POST", "/api/chat", "{\"message\": \"hi\", \"conversation_id\": \"nope\"}", 404),
            ("GET", "/api/conversations/00000000-0000-4000-8000-000000000000", nil, 404),
            ("GET", "/api/conversations?limit=0", nil, 400),
            ("POST", "/api/conversations", "{\"title\": \"\(String(repeating: "x", count: 300))\"}", 400),
        ]
        for (method, path, body, status) in cases {
            let answer = try await RawHTTP.send(method, port: app.webPort, path: path, json: body)
            #expect(answer.status == status, "\(method) \(path): \(answer.body)")
            #expect((answer.object?["error"] as? [String: Any])?["code"] != nil, "\(method) \(path): JSON error body")
        }
    }

    @Test(.enabled(if: TLSFront.available, "stunnel4 is not installed"))
    func httpsUpstreamsWorkWithTheConfiguredCAFileAndFailClearlyWithoutIt() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let tls = try TLSFront(forwardingTo: fake.port)
        defer { tls.stop() }
        let base = "https://127.0.0.1:\(tls.port)/api/v1"

        let trusted = try Appliance(
            extraConfig: "upstream.base_url = \"\(base)\"\nupstream.ca_file = \"\(tls.caFile)\"\nupstream.default_model = \"fake/lorem\"\n",
            environment: ["OPENROUTER_API_KEY": Self.key]
        )
        defer { Task { await trusted.stop() } }
        try await trusted.waitUntilReady()
        let good = try await Self.chat(trusted, "over TLS")
        #expect(good.json("done").first?["status"] as? String == "complete", "\(good.body.suffix(300))")

        let untrusted = try Appliance(
            extraConfig: "upstream.base_url = \"\(base)\"\nupstream.default_model = \"fake/lorem\"\n",
            environment: ["OPENROUTER_API_KEY": Self.key]
        )
        defer { Task { await untrusted.stop() } }
        try await untrusted.waitUntilReady()
        let bad = try await Self.chat(untrusted, "over TLS")
        #expect(bad.json("error").first?["code"] as? String == "tls", "\(bad.body.suffix(300))")
        #expect(bad.json("done").first?["status"] as? String == "error")
    }

    @Test func anAnswerWithoutAReportedCostIsPricedFromTheModelsCatalog() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let app = try await Self.start(fake)
        defer { Task { await app.stop() } }
        try await eventually(timeout: 5, "the models catalog fetched") {
            let models = try await RawHTTP.send("GET", port: app.webPort, path: "/api/models").object?["data"] as? [[String: Any]]
            return models?.contains { $0["id"] as? String == "fake/no-cost" && ($0["completion_price"] as? Double ?? 0) > 0 } == true
        }
        let answer = try await Self.chat(app, "price me", model: "fake/no-cost")
        let usage = try #require(answer.json("usage").first)
        #expect((usage["cost_usd"] as? Double ?? 0) > 0)
        let conversation = try #require(answer.json("meta").first?["conversation_id"] as? String)
        #expect((try await Self.storedMessages(app, conversation).last?["cost_usd"] as? Double ?? 0) > 0)
    }

    @Test func sigtermStopsAnAnswerStillStreamingAtTheEndOfTheGracePeriodAndKeepsItsText() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let app = try Appliance(
            extraConfig: "upstream.base_url = \"\(fake.baseURL)\"\nupstream.default_model = \"fake/slow\"\n",
            environment: ["OPENROUTER_API_KEY": Self.key], grace: 2
        )
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        let conversation = try #require(try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: "{}").object?["id"] as? String)
        let streaming = Task { try await Self.chat(app, "long please", conversation: conversation) }
        try await eventually(timeout: 5, "the answer streaming") {
            (try await Self.storedMessages(app, conversation).last?["content"] as? String ?? "").count > 10
        }
        let database = app.directory.path + "/data/neural-terminal.db"

        app.signal(SIGTERM)
        let answer = try await streaming.value
        #expect(await app.waitForExit(timeout: 5) == 0)
        #expect(answer.json("done").first?["status"] as? String == "stopped")
        let row = try String(decoding: runSQLite(database, "SELECT status, error, length(content) > 10 FROM messages WHERE role = 'assistant'"), as: UTF8.self)
        #expect(row.trimmingCharacters(in: .whitespacesAndNewlines) == "stopped|the server is shutting down|1")
    }
}

/// Runs one query with the sqlite3 command-line tool and returns its output (`a|b|c` per row).
func runSQLite(_ path: String, _ sql: String) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = [path, sql]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return data
}
