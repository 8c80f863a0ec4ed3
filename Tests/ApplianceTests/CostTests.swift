import Foundation
import Testing

/// Every answer the upstream billed costs something in the appliance, through the real binary against the fake
/// OpenRouter: an answer without a usage chunk and an answer cut short (stopped, dropped, failed mid-stream) are
/// estimated at once, then reconciled from OpenRouter's generation record once it exists (the fake lags it).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct CostTests {
    /// The fake's `/generation` answers 404 for three seconds after each stream, as OpenRouter's lags.
    static func start() async throws -> (FakeUpstream, Appliance) {
        let fake = try FakeUpstream(arguments: ["--generation-lag-ms", "3000"])
        let app = try await ChatTests.start(fake, extra: ChatTests.noBreakerNoRetry)
        return (fake, app)
    }

    static func lastAnswer(_ app: Appliance, _ answer: RawHTTP.Answer) async throws -> [String: Any] {
        let conversation = try #require(answer.json("meta").first?["conversation_id"] as? String)
        return try #require(try await ChatTests.storedMessages(app, conversation).last)
    }

    /// Waits until the conversation's last answer is reconciled; returns it.
    static func reconciled(_ app: Appliance, _ answer: RawHTTP.Answer) async throws -> [String: Any] {
        try await eventually(timeout: 40, "the answer's cost reconciled") {
            try await lastAnswer(app, answer)["cost_source"] as? String == "reconciled"
        }
        return try await lastAnswer(app, answer)
    }

    @Test func anAnswerWithoutUsageIsEstimatedAtOnceThenReconciledEverywhere() async throws {
        let (fake, app) = try await Self.start()
        defer { fake.stop() }
        defer { Task { await app.stop() } }

        let answer = try await ChatTests.chat(app, "Tell me something", model: "fake/no-usage")
        #expect(answer.json("done").first?["status"] as? String == "complete")
        let usage = try #require(answer.json("usage").last)
        #expect(usage["cost_source"] as? String == "estimated")
        let estimate = try #require(usage["cost_usd"] as? Double)
        #expect(estimate > 0)
        let stored = try await Self.lastAnswer(app, answer)
        #expect(stored["cost_source"] as? String == "estimated" && stored["cost_usd"] as? Double == estimate)
        let today = try #require(try await GuardProbe.usage(app)["today"] as? [String: Any])
        #expect(today["spend_usd"] as? Double == estimate && today["estimated_usd"] as? Double == estimate)

        let final = try await Self.reconciled(app, answer)
        let cost = try #require(final["cost_usd"] as? Double)
        #expect(cost > 0)
        let after = try #require(try await GuardProbe.usage(app)["today"] as? [String: Any])
        #expect(abs((after["spend_usd"] as? Double ?? -1) - cost) < 1e-12, "the day holds the reconciled cost")
        #expect(after["estimated_usd"] as? Double == 0, "nothing of the day is estimated any more")
    }

    @Test(arguments: ["fake/cut", "fake/midstream-error"])
    func anAnswerCutShortCostsWhatWasGenerated(_ model: String) async throws {
        let (fake, app) = try await Self.start()
        defer { fake.stop() }
        defer { Task { await app.stop() } }

        let answer = try await ChatTests.chat(app, "Tell me something", model: model)
        #expect(answer.json("done").first?["status"] as? String == "error")
        let stored = try await Self.lastAnswer(app, answer)
        #expect(stored["cost_source"] as? String == "estimated" && (stored["cost_usd"] as? Double ?? 0) > 0)
        let final = try await Self.reconciled(app, answer)
        #expect((final["cost_usd"] as? Double ?? 0) > 0)
    }

    @Test func aStoppedAnswerCostsWhatWasGeneratedUntilTheStop() async throws {
        let (fake, app) = try await Self.start()
        defer { fake.stop() }
        defer { Task { await app.stop() } }
        let conversation = try #require(try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: "{}").object?["id"] as? String)
        let streaming = Task { try await ChatTests.chat(app, "long please", model: "fake/slow", conversation: conversation) }
        try await eventually(timeout: 5, "the answer streaming") {
            (try await ChatTests.storedMessages(app, conversation).last?["content"] as? String ?? "").count > 10
        }
        _ = try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations/\(conversation)/stop")
        let answer = try await streaming.value
        #expect(answer.json("done").first?["status"] as? String == "stopped")
        #expect(answer.json("usage").last?["cost_source"] as? String == "estimated")
        let final = try await Self.reconciled(app, answer)
        #expect((final["cost_usd"] as? Double ?? 0) > 0)
        let today = try #require(try await GuardProbe.usage(app)["today"] as? [String: Any])
        #expect((today["spend_usd"] as? Double ?? 0) > 0)
    }
}
