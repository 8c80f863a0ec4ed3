import Foundation
import Testing

/// Edit and branch end to end (ADR 0017): the real binary against the fake OpenRouter, which reports what it was
/// sent. Part of the serialized `ChatTests` suite, so its appliance never runs beside the other chat appliances.
extension ChatTests {
    static func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// Sends a message (`fake/echo` answers with the question) and returns the stream's `meta`.
    static func send(_ app: Appliance, _ conversation: String, _ content: String, editOf: String? = nil) async throws -> [String: Any] {
        var body: [String: Any] = ["content": content, "model": "fake/echo"]
        if let editOf { body["edit_of"] = editOf }
        let answer = try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations/\(conversation)/messages", json: try json(body))
        #expect(answer.status == 200, "\(answer.body)")
        return answer.json("meta").first ?? [:]
    }

    /// What the fake upstream received last, as `role: content` lines.
    static func lastPrompt(_ fake: FakeUpstream) throws -> [String] {
        let last = try fake.stats()["last_request"] as? [String: Any]
        let messages = (last?["body"] as? [String: Any])?["messages"] as? [[String: Any]] ?? []
        return messages.map { "\($0["role"] as? String ?? "?"): \($0["content"] as? String ?? "?")" }
    }

    static func detail(_ app: Appliance, _ conversation: String, tree: Bool = false) async throws -> [String: Any] {
        let answer = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations/\(conversation)\(tree ? "?view=tree" : "")")
        #expect(answer.status == 200, "\(answer.body)")
        return answer.object ?? [:]
    }

    static func contents(_ detail: [String: Any]) -> [String] {
        (detail["messages"] as? [[String: Any]] ?? []).map { $0["content"] as? String ?? "" }
    }

    @Test func editRegenerateSwitchAndDeleteBranchesSendingOnlyTheVisiblePathUpstream() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let app = try await Self.start(fake)
        defer { Task { await app.stop() } }
        let port = app.webPort
        let created = try await RawHTTP.send("POST", port: port, path: "/api/conversations", json: #"{"title":"branches"}"#)
        let c = try #require(created.object?["id"] as? String)

        let first = try await Self.send(app, c, "one")
        let second = try await Self.send(app, c, "two")
        _ = try await Self.send(app, c, "three")
        let edit = try await Self.send(app, c, "two, edited", editOf: second["user_message_id"] as? String)
        #expect(try Self.lastPrompt(fake) == ["user: one", "assistant: one", "user: two, edited"], "the edited branch only")
        #expect(edit["parent_id"] as? String == edit["user_message_id"] as? String)

        var detail = try await Self.detail(app, c)
        #expect(Self.contents(detail) == ["one", "one", "two, edited", "two, edited"])
        let path = detail["messages"] as? [[String: Any]] ?? []
        #expect(path[2]["sibling_ids"] as? [String] == [second["user_message_id"], edit["user_message_id"]].compactMap { $0 as? String })
        #expect(path[2]["parent_id"] as? String == first["assistant_message_id"] as? String)
        #expect(detail["current_leaf_id"] as? String == edit["assistant_message_id"] as? String)

        // Regenerate the first answer: the old one stays beside the new one.
        let answerID = try #require(first["assistant_message_id"] as? String)
        let regenerated = try await RawHTTP.send("POST", port: port, path: "/api/conversations/\(c)/regenerate",
                                                 json: try Self.json(["message_id": answerID, "model": "fake/echo"]))
        #expect(regenerated.status == 200)
        #expect(try Self.lastPrompt(fake) == ["user: one"])
        detail = try await Self.detail(app, c)
        #expect((detail["messages"] as? [[String: Any]])?.last?["sibling_ids"] as? [String] ==
                [answerID, regenerated.json("meta").first?["assistant_message_id"] as? String].compactMap { $0 })
        #expect(Self.contents(try await Self.detail(app, c, tree: true)).count == 9)

        // Switch back to the branch through the old answer: its newest end.
        let switched = try await RawHTTP.send("PUT", port: port, path: "/api/conversations/\(c)/leaf", json: try Self.json(["message_id": answerID]))
        #expect(switched.status == 200, "\(switched.body)")
        #expect(Self.contents(switched.object ?? [:]) == ["one", "one", "two, edited", "two, edited"])
        _ = try await Self.send(app, c, "four")
        #expect(try Self.lastPrompt(fake) == ["user: one", "assistant: one", "user: two, edited", "assistant: two, edited", "user: four"])

        // Delete the edited branch: the leaf falls back to the older "two"; what was spent stays spent.
        let spent = try await GuardProbe.usage(app)["today"] as? [String: Any]
        let deleted = try await RawHTTP.send("DELETE", port: port, path: "/api/conversations/\(c)/messages/\(edit["user_message_id"] as? String ?? "")")
        #expect(deleted.status == 204)
        #expect(Self.contents(try await Self.detail(app, c)) == ["one", "one", "two", "two", "three", "three"])
        #expect((try await GuardProbe.usage(app)["today"] as? [String: Any])?["spend_usd"] as? Double == spent?["spend_usd"] as? Double)

        // Errors: unknown ids, an edit of an answer, a bad view.
        let unknown = "00000000-0000-4000-8000-000000000000"
        #expect(try await RawHTTP.send("PUT", port: port, path: "/api/conversations/\(c)/leaf", json: try Self.json(["message_id": unknown])).status == 404)
        #expect(try await RawHTTP.send("DELETE", port: port, path: "/api/conversations/\(c)/messages/\(unknown)").status == 404)
        let badEdit = try await RawHTTP.send("POST", port: port, path: "/api/conversations/\(c)/messages",
                                             json: try Self.json(["content": "x", "edit_of": answerID]))
        #expect(badEdit.status == 400 && badEdit.body.contains("invalid_request"), "\(badEdit.body)")
        #expect(try await RawHTTP.send("POST", port: port, path: "/api/conversations/\(c)/messages",
                                       json: try Self.json(["content": "x", "edit_of": unknown])).status == 404)
        #expect(try await RawHTTP.send("GET", port: port, path: "/api/conversations/\(c)?view=forest").status == 400)
    }

    @Test func branchesDoNotMoveWhileAnAnswerStreams() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let app = try await Self.start(fake)
        defer { Task { await app.stop() } }
        let port = app.webPort
        let c = try #require(try await RawHTTP.send("POST", port: port, path: "/api/conversations", json: "{}").object?["id"] as? String)
        let first = try await Self.send(app, c, "one")
        let slow = Task {
            try await RawHTTP.send("POST", port: port, path: "/api/conversations/\(c)/messages", json: #"{"content":"long","model":"fake/slow"}"#)
        }
        try await eventually(timeout: 10, "the slow answer streams") {
            Self.contents(try await Self.detail(app, c)).count == 4
        }
        let answer = try #require(first["assistant_message_id"] as? String)
        let leaf = try await RawHTTP.send("PUT", port: port, path: "/api/conversations/\(c)/leaf", json: try Self.json(["message_id": answer]))
        #expect(leaf.status == 409 && leaf.body.contains("turn_running"), "\(leaf.body)")
        let delete = try await RawHTTP.send("DELETE", port: port, path: "/api/conversations/\(c)/messages/\(answer)")
        #expect(delete.status == 409 && delete.body.contains("turn_running"), "\(delete.body)")
        _ = try await RawHTTP.send("POST", port: port, path: "/api/conversations/\(c)/stop")
        _ = try await slow.value
        #expect(try await RawHTTP.send("DELETE", port: port, path: "/api/conversations/\(c)/messages/\(answer)").status == 204)
    }
}
