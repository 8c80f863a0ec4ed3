import Foundation
import Testing

/// The circuit breakers end to end, per cause: the real binary against the fake OpenRouter. They belong to the
/// serialized `ChatTests` suite, so their appliances never run beside the other chat appliances.
extension ChatTests {
    /// One model's circuit (`circuit_breaker.models` of `/api/usage`), nil when it has nothing to report.
    static func modelBreaker(_ app: Appliance, _ model: String) async throws -> [String: Any]? {
        let models = try await GuardProbe.breaker(app)["models"] as? [[String: Any]] ?? []
        return models.first { $0["model"] as? String == model }
    }

    @Test func aFailingModelOpensOnlyItsOwnBreakerAndTheRequestsOwnProblemsOpenNone() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let app = try await ChatTests.start(fake, extra: """
            breaker.failure_threshold = 3
            breaker.open_seconds = 1
            retry.max_attempts = 1
            retry.base_delay_ms = 10
            """)
        defer { Task { await app.stop() } }

        // No credit (402), moderation (403) and a bad request (400) are the request's problem: however many, the
        // breakers stay closed and count nothing.
        for model in ["fake/http-402", "fake/http-403", "fake/http-400"] {
            for _ in 0..<4 {
                let answer = try await ChatTests.chat(app, "refused", model: model)
                #expect(answer.status == 200)
                #expect(answer.json("error").first?["code"] as? String == "upstream_\(model.suffix(3))")
            }
        }
        #expect(try GuardProbe.chatRequests(fake) == 12, "never retried, never refused")
        #expect(try await GuardProbe.breaker(app)["state"] as? String == "closed")
        #expect((try await GuardProbe.breaker(app)["models"] as? [Any])?.isEmpty == true)

        // 503 with Retry-After: 1 is retried once, after at least a second; both attempts count for that model.
        let started = Date()
        let unavailable = try await ChatTests.chat(app, "fail", model: "fake/http-503")
        #expect(unavailable.json("error").first?["code"] as? String == "upstream_503")
        #expect(Date().timeIntervalSince(started) >= 1, "Retry-After honoured")
        #expect(try await ChatTests.modelBreaker(app, "fake/http-503")?["consecutive_failures"] as? Int == 2)

        // A 500 is retried once; both attempts and the next one count against fake/http-500 alone.
        _ = try await ChatTests.chat(app, "fail", model: "fake/http-500")
        let second = try await ChatTests.chat(app, "fail", model: "fake/http-500")
        #expect(second.json("error").first?["code"] as? String == "upstream_500")
        #expect(try GuardProbe.chatRequests(fake) == 17)
        let open = try #require(try await ChatTests.modelBreaker(app, "fake/http-500"))
        #expect(open["state"] as? String == "open" && open["retry_at"] is String)
        #expect(try await GuardProbe.breaker(app)["state"] as? String == "closed", "the upstream answered every time")

        let refused = try await ChatTests.chat(app, "fail", model: "fake/http-500")
        #expect(refused.status == 503)
        #expect(refused.headers["retry-after"] == "1")
        let error = refused.object?["error"] as? [String: Any]
        #expect(error?["code"] as? String == "circuit_open")
        let message = error?["message"] as? String ?? ""
        #expect(message.hasPrefix("the model fake/http-500 is failing; its circuit breaker retries at 20"), "\(message)")
        #expect(message.hasSuffix("; other models can be used"), "\(message)")
        #expect(try GuardProbe.chatRequests(fake) == 17, "refused without a request")

        // Every other model is served meanwhile.
        for model in ["fake/lorem", "fake/echo"] {
            let fine = try await ChatTests.chat(app, "hello", model: model)
            #expect(fine.status == 200)
            #expect(fine.json("done").first?["status"] as? String == "complete", "\(model)")
        }
        #expect(try GuardProbe.metric(app, "neural_terminal_circuit_breaker_state") == 0)
        #expect(try GuardProbe.metric(app, "neural_terminal_circuit_breaker_open_models") == 1)

        let transitions = app.logObjects().filter { ($0["msg"] as? String ?? "").hasPrefix("model circuit breaker ") }
        #expect(transitions.map { $0["msg"] as? String } == ["model circuit breaker open"])
        #expect(transitions.first?["model"] as? String == "fake/http-500" && transitions.first?["breaker"] as? String == "model")
        #expect(!app.logObjects().contains { ($0["msg"] as? String ?? "").hasPrefix("circuit breaker ") }, "the upstream's never moved")

        // Once the open period has passed, nothing refuses any more, and the gauge says so without a request.
        try await eventually(timeout: 5, "the open period passed") {
            try GuardProbe.metric(app, "neural_terminal_circuit_breaker_open_models") == 0
        }
    }

    @Test func anUnreachableUpstreamOpensTheBreakerForEveryModelAndAProbeClosesIt() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        // Nothing listens on the port the appliance starts with: every attempt fails to connect.
        let dead = try Appliance.freePort()
        let unreachable = """
            upstream.base_url = "http://127.0.0.1:\(dead)/api/v1"
            upstream.default_model = "fake/lorem"
            breaker.failure_threshold = 3
            breaker.open_seconds = 1
            retry.max_attempts = 1
            retry.base_delay_ms = 10
            """
        let app = try Appliance(extraConfig: unreachable, environment: ["OPENROUTER_API_KEY": ChatTests.key])
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()

        let first = try await ChatTests.chat(app, "anyone?", model: "fake/lorem")
        #expect(first.json("error").first?["code"] as? String == "connect")
        _ = try await ChatTests.chat(app, "anyone?", model: "fake/echo")
        let open = try await GuardProbe.breaker(app)
        #expect(open["state"] as? String == "open")
        #expect((open["models"] as? [Any])?.isEmpty == true, "no model is to blame")

        let refused = try await ChatTests.chat(app, "hello", model: "fake/free")
        #expect(refused.status == 503)
        let message = (refused.object?["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.hasPrefix("the upstream is failing; the circuit breaker retries at 20"), "\(message)")
        #expect(try GuardProbe.metric(app, "neural_terminal_circuit_breaker_state") == 1)

        // The upstream comes back; after the open period one probe goes through and closes the breaker.
        try app.writeConfig(ChatTests.upstreamConfig(fake, extra: "breaker.failure_threshold = 3\nbreaker.open_seconds = 1\n"))
        app.signal(SIGHUP)
        try await eventually(timeout: 5, "the reload logged") { app.logLines().contains { $0.contains("configuration reloaded") } }
        try await eventually(timeout: 10, "a probe closed the breaker") {
            try await ChatTests.chat(app, "hello again", model: "fake/lorem").json("done").first?["status"] as? String == "complete"
        }
        #expect(try await GuardProbe.breaker(app)["state"] as? String == "closed")
        #expect(try GuardProbe.metric(app, "neural_terminal_circuit_breaker_state") == 0)
        let transitions = app.logObjects().filter { ($0["msg"] as? String ?? "").hasPrefix("circuit breaker ") }
        #expect(transitions.first?["msg"] as? String == "circuit breaker open")
        #expect(transitions.last?["msg"] as? String == "circuit breaker closed")
        #expect(transitions.allSatisfy { $0["level"] as? String == "notice" && $0["breaker"] as? String == "upstream" })
    }
}
