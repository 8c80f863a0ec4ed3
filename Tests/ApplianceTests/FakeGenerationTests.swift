import Foundation
import Testing

/// The fake OpenRouter's `GET /api/v1/generation?id=`: the lag after a stream, and what a stream that did not run
/// to its normal end is billed (the tokens sent, at the model's prices), as the appliance's reconciliation reads it.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct FakeGenerationTests {
    static let prompt = "Tell me something"
    /// The fake's prompt estimate: characters / 4, rounded up.
    static let promptTokens = (prompt.count + 3) / 4

    static func body(_ model: String) -> String {
        #"{"model":"\#(model)","stream":true,"messages":[{"role":"user","content":"\#(prompt)"}]}"#
    }

    static func stream(_ fake: FakeUpstream, _ model: String) async throws -> RawHTTP.Answer {
        try await RawHTTP.send("POST", port: fake.port, path: "/api/v1/chat/completions", json: body(model))
    }

    /// `/generation?id=`: the status and the `data` object (or the error object on a 404).
    static func generation(_ fake: FakeUpstream, _ id: String) async throws -> (status: Int, data: [String: Any]) {
        let answer = try await RawHTTP.send("GET", port: fake.port, path: "/api/v1/generation?id=\(id)")
        let object = answer.object ?? [:]
        return (answer.status, (object["data"] ?? object["error"]) as? [String: Any] ?? [:])
    }

    /// Waits for the generation to be reported (a disconnect is noticed within a token delay).
    static func reported(_ fake: FakeUpstream, _ id: String) async throws -> [String: Any] {
        var found: [String: Any] = [:]
        try await eventually(timeout: 10, "generation \(id) reported") {
            let answer = try await generation(fake, id)
            found = answer.data
            return answer.status == 200
        }
        return found
    }

    /// The cost the fake's `fake/…` models charge: 1e-6 per prompt token, 2e-6 per completion token.
    static func expectBilled(_ data: [String: Any], completion: Int) {
        #expect(data["tokens_prompt"] as? Int == promptTokens)
        #expect(data["native_tokens_prompt"] as? Int == promptTokens)
        #expect(data["tokens_completion"] as? Int == completion)
        #expect(data["native_tokens_completion"] as? Int == completion)
        let expected = Double(promptTokens) * 0.000001 + Double(completion) * 0.000002
        let cost = data["total_cost"] as? Double ?? -1
        #expect(abs(cost - expected) < 1e-12, "total_cost \(cost), expected \(expected)")
        #expect(data["usage"] as? Double == data["total_cost"] as? Double)
    }

    @Test func aGenerationIsNotFoundDuringTheLagThenReportedWithItsCost() async throws {
        let fake = try FakeUpstream(arguments: ["--generation-lag-ms", "3000"])
        defer { fake.stop() }
        let answer = try await Self.stream(fake, "fake/lorem")
        #expect(answer.body.contains("data: [DONE]"))
        let id = try #require(answer.headers["x-generation-id"])

        let early = try await Self.generation(fake, id)
        #expect(early.status == 404)
        #expect(early.data["message"] as? String == "Generation not found")
        let data = try await Self.reported(fake, id)
        #expect(data["id"] as? String == id)
        #expect(data["cancelled"] as? Bool == false)
        #expect(data["finish_reason"] as? String == "stop")
        Self.expectBilled(data, completion: 20)
    }

    @Test func withoutALagAGenerationIsReportedAsSoonAsItsStreamEnded() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let id = try #require(try await Self.stream(fake, "fake/lorem").headers["x-generation-id"])
        let answer = try await Self.generation(fake, id)
        #expect(answer.status == 200)
        Self.expectBilled(answer.data, completion: 20)
    }

    /// Streams that end without a usage chunk: billed for the tokens sent before the end, never `cancelled`
    /// (the client did not leave; the provider failed or sent no usage).
    @Test(arguments: [
        ("fake/no-usage", 20, "stop"), ("fake/cut", 3, nil), ("fake/midstream-error", 3, "error"),
        ("fake/midstream-error-nodone", 3, "error"),
    ] as [(String, Int, String?)])
    func aStreamWithoutUsageIsBilledForTheTokensSent(model: String, completion: Int, finish: String?) async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let answer = try await Self.stream(fake, model)
        #expect(!answer.body.contains("\"usage\""), "no usage chunk: \(answer.body.suffix(300))")
        let id = try #require(answer.headers["x-generation-id"])
        let data = try await Self.reported(fake, id)
        #expect(data["cancelled"] as? Bool == false)
        #expect(data["streamed"] as? Bool == true)
        #expect(data["finish_reason"] as? String == finish)
        Self.expectBilled(data, completion: completion)
        #expect(try fake.stats()["key_usage"] as? Double == data["total_cost"] as? Double)
    }

    @Test func aClientThatLeavesMidStreamIsBilledForTheTokensSentAndMarkedCancelled() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let request = "POST /api/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(Self.body("fake/slow").utf8.count)\r\n\r\n" + Self.body("fake/slow")
        // The role chunk and five content tokens, then the client leaves (fake/slow has 2,000 tokens).
        let seen = try await RawHTTP.sendAndLeave(port: fake.port, request: Array(request.utf8)) {
            $0.components(separatedBy: "data: {").count - 1 >= 6
        }
        let head = seen.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("x-generation-id:") }
        let id = try #require(head?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces))
        let data = try await Self.reported(fake, id)
        #expect(data["cancelled"] as? Bool == true)
        #expect(data["finish_reason"] is NSNull)
        let completion = data["tokens_completion"] as? Int ?? -1
        #expect((5..<2_000).contains(completion), "billed for the tokens sent before the client left: \(completion)")
        Self.expectBilled(data, completion: completion)
        #expect(try fake.stats()["client_disconnects"] as? Int == 1)
        #expect(try fake.stats()["key_usage"] as? Double == data["total_cost"] as? Double)
    }
}
