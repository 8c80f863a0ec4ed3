import Foundation
import Testing

/// Export, import and search end to end: the real binary, real chats against the fake upstream, and a second,
/// fresh appliance that takes the export back.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ExportImportTests {
    static func get(_ app: Appliance, _ path: String) async throws -> RawHTTP.Answer {
        try await RawHTTP.send("GET", port: app.webPort, path: path)
    }

    static func search(_ app: Appliance, _ text: String, extra: String = "") async throws -> RawHTTP.Answer {
        let encoded = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return try await get(app, "/api/search?q=\(encoded)\(extra)")
    }

    @Test func anExportImportedIntoAFreshApplianceGivesIdenticalConversations() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let source = try await ChatTests.start(fake)
        defer { Task { await source.stop() } }
        var ids: [String] = []
        for model in ["fake/lorem", "fake/http-502", "fake/reasoning", "fake/cut"] {
            let answer = try await ChatTests.chat(source, "a zebra question for \(model)", model: model)
            ids.append(try #require(answer.json("meta").first?["conversation_id"] as? String))
        }
        _ = try await ChatTests.chat(source, "and another zebra", conversation: ids[0])

        let export = try await Self.get(source, "/api/export")
        #expect(export.status == 200)
        #expect(export.headers["content-type"] == "application/x-ndjson")
        #expect(export.headers["content-disposition"]?.hasPrefix("attachment; filename=\"neural-terminal-export-") == true)
        let lines = export.body.split(separator: "\n")
        #expect(lines.count == 1 + ids.count)
        #expect(lines.first?.contains(#""format":"neural-terminal-export""#) == true)

        let target = try await ChatTests.start(fake)
        defer { Task { await target.stop() } }
        let imported = try await RawHTTP.send("POST", port: target.webPort, path: "/api/import", json: export.body)
        #expect(imported.status == 200, "\(imported.body)")
        #expect(imported.object?["conversations_added"] as? Int == ids.count)
        #expect(imported.object?["messages_added"] as? Int == 10)
        for id in ids {
            let original = try await Self.get(source, "/api/conversations/\(id)")
            let copy = try await Self.get(target, "/api/conversations/\(id)")
            #expect(copy.status == 200)
            #expect(copy.body == original.body, "conversation \(id) is identical, byte for byte")
        }
        let again = try await RawHTTP.send("POST", port: target.webPort, path: "/api/import", json: export.body)
        #expect(again.object?["conversations_unchanged"] as? Int == ids.count)
        #expect(again.object?["conversations_added"] as? Int == 0)

        let single = try await Self.get(source, "/api/conversations/\(ids[0])/export?format=json")
        #expect(single.status == 200)
        #expect(single.headers["content-disposition"] == "attachment; filename=\"a-zebra-question-for-fake-lorem-\(ids[0].prefix(8)).json\"")
        let singleAgain = try await RawHTTP.send("POST", port: target.webPort, path: "/api/import", json: single.body)
        #expect(singleAgain.object?["conversations_unchanged"] as? Int == 1)

        let markdown = try await Self.get(source, "/api/conversations/\(ids[0])/export?format=markdown")
        #expect(markdown.status == 200)
        #expect(markdown.headers["content-type"]?.hasPrefix("text/markdown") == true)
        #expect(markdown.headers["content-disposition"]?.hasSuffix(".md\"") == true)
        #expect(markdown.body.hasPrefix("# a zebra question for fake/lorem\n"))
        #expect(markdown.body.contains("### ASSISTANT · fake/lorem · "))
        #expect(try await Self.get(source, "/api/conversations/\(ids[0])/export?format=pdf").status == 400)
        #expect(try await Self.get(source, "/api/conversations/00000000-0000-4000-8000-000000000000/export").status == 404)

        let found = try await Self.search(target, "zebra")
        #expect(found.status == 200)
        let results = found.object?["results"] as? [[String: Any]] ?? []
        #expect(results.count == 5, "\(found.body)")
        #expect(Set(results.compactMap { $0["conversation_id"] as? String }) == Set(ids))
        let snippet = results.first?["snippet"] as? [[String: Any]] ?? []
        #expect(snippet.contains { ($0["match"] as? Bool) == true && ($0["text"] as? String)?.lowercased() == "zebra" })
    }

    @Test func badImportsAndHostileSearchesAreClientErrorsNeverServerErrors() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let app = try await ChatTests.start(fake)
        defer { Task { await app.stop() } }
        _ = try await ChatTests.chat(app, "zebra near the river")

        let bad = try await RawHTTP.send("POST", port: app.webPort, path: "/api/import",
                                         json: "{\"format\":\"neural-terminal-export\",\"version\":1}\n{\"conversation\":42}\n")
        #expect(bad.status == 400)
        #expect((bad.object?["error"] as? [String: Any])?["message"] as? String == "line 2: conversation: expected an object")

        for text in ["\"", "*", "NEAR(", "((zebra", "zebra)", "AND", "\u{0}", String(repeating: "a", count: 10_240), ""] {
            let answer = try await Self.search(app, text)
            #expect(answer.status == 200 || answer.status == 400, "\(text.prefix(20)): \(answer.status)")
            if answer.status == 400 {
                #expect((answer.object?["error"] as? [String: Any])?["code"] as? String == "invalid_query")
            }
        }
        #expect(try await Self.search(app, "zeb*").object?["results"] as? [Any] != nil)
        #expect(try await Self.get(app, "/api/search").status == 400)
        #expect(try await Self.search(app, "zebra", extra: "&limit=0").status == 400)
        #expect(try await Self.get(app, "/api/search?q=zebra+river").object?["query"] as? String == "zebra river")
        #expect(app.logLines().filter { $0.contains(#""level":"error""#) }.isEmpty)
    }
}
