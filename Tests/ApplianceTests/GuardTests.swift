import Foundation
import Testing

/// Reads the guards' state from a running appliance: `/api/usage`, the merged metrics, the fake's request count.
enum GuardProbe {
    static func usage(_ app: Appliance) async throws -> [String: Any] {
        let answer = try await RawHTTP.send("GET", port: app.webPort, path: "/api/usage")
        #expect(answer.status == 200, "\(answer.body)")
        return answer.object ?? [:]
    }

    static func breaker(_ app: Appliance) async throws -> [String: Any] {
        try await usage(app)["circuit_breaker"] as? [String: Any] ?? [:]
    }

    /// The value of one sample of the merged exposition, e.g. `neural_terminal_circuit_breaker_state` from the web worker.
    static func metric(_ app: Appliance, _ name: String, label: String? = nil) throws -> Double? {
        let body = try app.metrics("/metrics").body
        for line in body.split(separator: "\n") where line.hasPrefix(name + "{") && line.contains("worker=\"web\"") {
            if let label, !line.contains(label) { continue }
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }

    static func chatRequests(_ fake: FakeUpstream) throws -> Int { try fake.stats()["requests"] as? Int ?? -1 }
}

/// The cost guardian end to end (the circuit breakers: BreakerTests): the real binary against the fake OpenRouter.
/// They belong to the serialized `ChatTests` suite, so their appliances never run beside the other chat appliances.
extension ChatTests {
    @Test func aRequestThatCouldExceedTheDailyBudgetIsRefusedUntilASighupRaisesIt() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        // fake/lorem: 1e-6 per prompt token, 2e-6 per completion token, 20 tokens per answer. With max_tokens 50 the
        // first request's worst case is about 0.000106 USD and it costs about 0.000044; the second's worst case,
        // with the first exchange in its history, is about 0.00015.
        let budget = "budget.daily_usd = 0.00012\nbudget.default_max_tokens = 50\nbudget.warn_ratio = 0.3\n"
        let app = try await ChatTests.start(fake, extra: budget)
        defer { Task { await app.stop() } }
        try await eventually(timeout: 5, "the models catalog fetched") {
            let models = try await RawHTTP.send("GET", port: app.webPort, path: "/api/models").object?["data"] as? [[String: Any]]
            return models?.contains { $0["id"] as? String == "fake/lorem" } == true
        }
        let conversation = try #require(try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: "{}").object?["id"] as? String)

        let first = try await ChatTests.chat(app, "hello", conversation: conversation)
        #expect(first.json("done").first?["status"] as? String == "complete", "\(first.body.suffix(300))")
        #expect(first.json("meta").first?["max_tokens"] as? Int == 50)
        #expect(first.json("meta").first?["trimmed_messages"] as? Int == 0)
        #expect(first.json("usage").first?["budget_warning"] as? Bool == true)
        let spent = try #require(first.json("usage").first?["cost_usd"] as? Double)

        let refused = try await ChatTests.chat(app, "and more", conversation: conversation)
        #expect(refused.status == 402)
        let error = refused.object?["error"] as? [String: Any]
        #expect(error?["code"] as? String == "budget_exceeded")
        let message = error?["message"] as? String ?? ""
        #expect(message.hasPrefix("daily budget $0.00012: "), "\(message)")
        #expect(message.contains("remains; this request could cost up to $0.000"), "\(message)")
        #expect(try GuardProbe.chatRequests(fake) == 1, "nothing was sent")
        #expect(try await ChatTests.storedMessages(app, conversation).count == 2, "nothing was stored")
        let fresh = try await ChatTests.chat(app, "new conversation", model: "fake/lorem")
        #expect(fresh.status == 402)
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations").object?["total"] as? Int == 1,
                "a refused /api/chat leaves no conversation behind")

        let usage = try await GuardProbe.usage(app)
        let today = usage["today"] as? [String: Any] ?? [:]
        #expect(abs((today["spend_usd"] as? Double ?? 0) - spent) < 1e-12)
        #expect(today["budget_usd"] as? Double == 0.00012)
        #expect(abs((today["remaining_usd"] as? Double ?? 0) - (0.00012 - spent)) < 1e-12)
        #expect(today["warn"] as? Bool == true)
        #expect((usage["month"] as? [String: Any])?["budget_usd"] is NSNull)
        #expect((usage["by_day"] as? [[String: Any]])?.count == 30)
        let models = usage["by_model"] as? [[String: Any]] ?? []
        #expect(models.first?["model"] as? String == "fake/lorem" && models.first?["messages"] as? Int == 1)
        #expect(try GuardProbe.metric(app, "neural_terminal_budget_spend_usd", label: "budget=\"daily\"").map { abs($0 - spent) < 1e-9 } == true)
        #expect(try GuardProbe.metric(app, "neural_terminal_budget_remaining_usd", label: "budget=\"daily\"").map { abs($0 - (0.00012 - spent)) < 1e-9 } == true)

        try app.writeConfig(ChatTests.upstreamConfig(fake, extra: "budget.daily_usd = 1\nbudget.default_max_tokens = 50\n"))
        app.signal(SIGHUP)
        try await eventually(timeout: 5, "the raised budget applied") {
            (try await GuardProbe.usage(app)["today"] as? [String: Any])?["budget_usd"] as? Double == 1
        }
        let allowed = try await ChatTests.chat(app, "and more", conversation: conversation)
        #expect(allowed.status == 200)
        #expect(allowed.json("done").first?["status"] as? String == "complete")
        #expect(allowed.json("usage").first?["budget_warning"] as? Bool == false)
    }
}
