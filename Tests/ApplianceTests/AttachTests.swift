import Foundation
import Testing

/// Answers outlive the page, through the real binary: a client that leaves mid-answer does not stop it, and a
/// page that attaches (a reload, a second tab) gets the text so far and follows the answer live to its end.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct AttachTests {
    @Test func anAnswerWhoseClientLeftRunsToItsEndAndAnotherPageFollowsItLive() async throws {
        let fake = try FakeUpstream(arguments: ["--tokens", "150", "--token-delay-ms", "20"])
        defer { fake.stop() }
        let app = try await ChatTests.start(fake)
        defer { Task { await app.stop() } }
        let conversation = try #require(try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: "{}").object?["id"] as? String)

        let body = #"{"content":"a long answer please"}"#
        let request = "POST /api/conversations/\(conversation)/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
        // The client reads a few tokens, then leaves (a closed tab, a reload).
        _ = try await RawHTTP.sendAndLeave(port: app.webPort, request: Array(request.utf8)) {
            $0.components(separatedBy: "event: delta").count > 5
        }
        let attached = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations/\(conversation)/stream")
        #expect(attached.status == 200)
        let snapshot = try #require(attached.json("snapshot").first?["content"] as? String)
        let live = attached.json("delta").compactMap { $0["text"] as? String }.joined()
        #expect(!snapshot.isEmpty && !live.isEmpty, "the text so far, then more of it live")
        #expect(attached.json("done").first?["status"] as? String == "complete")

        let stored = try #require(try await ChatTests.storedMessages(app, conversation).last)
        #expect(stored["status"] as? String == "complete", "the answer ran to its end: \(stored["error"] ?? "")")
        #expect(stored["content"] as? String == snapshot + live, "the page that attached saw all of it, once")
        #expect(try fake.stats()["client_disconnects"] as? Int ?? 0 == 0, "the upstream transfer was never cut")

        let after = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations/\(conversation)/stream")
        #expect(after.status == 404 && (after.object?["error"] as? [String: Any])?["code"] as? String == "not_streaming")
    }
}
