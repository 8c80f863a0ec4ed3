import Foundation
import Testing

/// An upstream that echoes the key it was sent, in any form, gets it nowhere: not into the chat stream, the stored
/// answer, nor the log; and a search for the key's text is logged without it.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct KeyEchoTests {
    static let secret = "5e1d" + String(repeating: "9b7c3a0f", count: 7) + "42a6"
    static let key = "sk-or-v1-" + secret

    /// Whether `text` shows the key's random part in any case, or a base64 form of it.
    static func shows(_ text: String) -> Bool {
        let text = text.replacingOccurrences(of: "\\/", with: "/")
        if text.lowercased().contains(secret.dropFirst(20).prefix(24)) { return true }
        return ["Bearer \(key)", key, "{\"key\":\"\(key)\"}"].contains { plain in
            let characters = Array(Data(plain.utf8).base64EncodedString())
            return text.contains(String(characters[(characters.count / 2 - 8)..<(characters.count / 2 + 8)]))
        }
    }

    @Test func echoesOfTheKeyAreRedactedFromStreamStoredAnswersAndLogs() async throws {
        #expect(Self.key.count == 73)
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let app = try Appliance(extraConfig: ChatTests.upstreamConfig(fake, extra: ChatTests.noBreakerNoRetry),
                                environment: ["OPENROUTER_API_KEY": Self.key])
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()

        // The reported attack: a 401 naming the key id (the key without `sk-or-v1-`).
        let first = try await ChatTests.chat(app, "hello", model: "fake/http-401-key-id")
        let conversation = try #require(first.json("meta").first?["conversation_id"] as? String)
        let error = try #require(first.json("error").first?["message"] as? String)
        #expect(error == "key id [REDACTED:secret] not found")
        #expect(!Self.shows(first.body), "SSE: \(first.body)")

        // Every other form, in an error body, a mid-stream error, and reasoning and content split over chunks.
        var answers = [first]
        for model in ["fake/http-401-echo-forms", "fake/midstream-error-echo", "fake/echo-key"] {
            let answer = try await ChatTests.chat(app, "again", model: model, conversation: conversation)
            #expect(answer.body.contains("[REDACTED:secret]"), "\(model) echoed nothing: \(answer.body)")
            #expect(!Self.shows(answer.body), "SSE of \(model): \(answer.body)")
            answers.append(answer)
        }
        let echoed = answers[3].json("delta").compactMap { $0["text"] as? String }.joined()
        #expect(echoed.hasPrefix("Here is what you sent: upper SK-OR-V1-[REDACTED:secret], bare [REDACTED:secret], "))

        let stored = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations/\(conversation)")
        #expect(stored.body.components(separatedBy: "[REDACTED:secret]").count > 8, "stored: \(stored.body)")
        #expect(!Self.shows(stored.body), "stored: \(stored.body)")

        // A search for the key's text: the query's values are not logged, only its parameter names.
        let search = try await RawHTTP.send("GET", port: app.webPort, path: "/api/search?q=\(Self.secret)&limit=5")
        #expect(search.status == 200)
        try await eventually(timeout: 5, "the search logged") {
            app.logObjects().contains { $0["path"] as? String == "/api/search" }
        }
        let searchLine = try #require(app.logObjects().first { $0["path"] as? String == "/api/search" })
        #expect(searchLine["query"] as? String == "q&limit")
        // The same route spelled with a trailing slash: the router matches it, and the log still keeps only names.
        let slashed = try await RawHTTP.send("GET", port: app.webPort, path: "/api/search/?q=private+words")
        #expect(slashed.status == 200)
        try await eventually(timeout: 5, "the second search logged") {
            app.logObjects().contains { $0["path"] as? String == "/api/search/" }
        }
        #expect(app.logObjects().first { $0["path"] as? String == "/api/search/" }?["query"] as? String == "q")

        let turns = app.logObjects().filter { $0["msg"] as? String == "chat turn" }
        #expect(turns.count == 4)
        #expect(turns.contains { ($0["error"] as? String)?.contains("key id [REDACTED:secret] not found") == true })
        for line in app.logLines() { #expect(!Self.shows(line), "log: \(line)") }
    }
}
