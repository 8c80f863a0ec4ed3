import Foundation
import NTChat
import NTStorage
import Testing

/// Full-text search: ranked hits with their conversation and a structured snippet, and no input that can reach
/// FTS5 as syntax.
struct SearchTests {
    /// A repository with a few finished answers and one still streaming.
    static func repository(_ db: TempDatabase) async throws -> SQLChatRepository {
        let repository = try db.repository()
        let savanna = try await repository.createConversation(title: "Savanna", model: nil, systemPrompt: nil, ownerID: "owner")
        let answers = [
            ("zebra facts", "The zebra is striped. A zebra herd is a zebra party; zebras run near the river."),
            ("other animals", "The giraffe is tall, the lion is lazy, one zebra passed by."),
            ("odd text", "Control \u{2}markers\u{3} and brackets [ ] and \"quotes\" and NEAR( parentheses ( here."),
        ]
        for (question, answer) in answers {
            let turn = try await repository.beginTurn(conversationID: savanna.id, userContent: question, model: "m", requestID: "r",
                                                      workerPID: 1, replacingLastAnswer: false)
            try await repository.finish(messageID: turn.assistant.id, outcome: MessageOutcome(status: .complete, content: answer, reasoning: ""))
        }
        let other = try await repository.createConversation(title: "Streaming", model: nil, systemPrompt: nil, ownerID: "owner")
        let live = try await repository.beginTurn(conversationID: other.id, userContent: "tell me", model: "m", requestID: "r",
                                                  workerPID: 1, replacingLastAnswer: false)
        try await repository.saveProgress(messageID: live.assistant.id, content: "zebra zebra zebra unfinished", reasoning: "")
        return repository
    }

    @Test(arguments: TempDatabase.engines) func hitsAreRankedWithTheirConversationAndAStructuredSnippet(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try await Self.repository(db)
        let hits = try await repository.search(try SearchQuery(parsing: "zebra"), ownerID: "owner", limit: 20)
        #expect(hits.count == 3, "two answers and a question; the streaming answer is not indexed")
        #expect(hits.first?.snippet.contains(SnippetPart(text: "zebra", match: true)) == true)
        #expect(Set(hits.map(\.role)) == [.user, .assistant])
        #expect(hits.first?.conversationTitle == "Savanna")
        #expect(hits.map(\.rank) == hits.map(\.rank).sorted(by: >), "best first")
        #expect(hits[0].rank > hits[1].rank)
        #expect(!hits.contains { $0.snippet.contains { $0.text.contains("unfinished") } })
        for hit in hits {
            #expect(Identifiers.isValid(hit.messageID) && Identifiers.isValid(hit.conversationID))
            #expect(hit.snippet.contains { $0.match })
            for (a, b) in zip(hit.snippet, hit.snippet.dropFirst()) { #expect(a.match != b.match, "parts alternate") }
        }
    }

    @Test(arguments: TempDatabase.engines) func prefixesPhrasesAndSeveralTermsWork(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try await Self.repository(db)
        func count(_ text: String) async throws -> Int { try await repository.search(try SearchQuery(parsing: text), ownerID: "owner", limit: 100).count }
        #expect(try await count("zeb*") == 3)
        #expect(try await count("zeb") == 3, "a bare word is a prefix")
        #expect(try await count("\"zeb\"") == 0, "a quoted word is whole")
        #expect(try await count("\"zebra herd\"") == 1)
        #expect(try await count("\"herd zebra\"") == 0)
        #expect(try await count("giraffe lion") == 1)
        #expect(try await count("giraffe river") == 0, "terms are joined with AND")
        #expect(try await count("GIRAFFE") == 1)
    }

    @Test(arguments: TempDatabase.engines) func controlMarkersInStoredTextDoNotBreakTheSnippet(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try await Self.repository(db)
        let hit = try #require(try await repository.search(try SearchQuery(parsing: "markers"), ownerID: "owner", limit: 5).first)
        #expect(hit.snippet.filter(\.match).map(\.text) == ["markers"])
        #expect(hit.snippet.map(\.text).joined().contains("Control markers and brackets [ ]"))
        #expect(!hit.snippet.contains { $0.text.unicodeScalars.contains { $0.value < 0x20 } })
    }

    static let hostile: [String] = [
        "\"", "\"\"", "*", "**", "NEAR(", "NEAR(zebra river, 3)", "(", ")", "((zebra", "zebra))", "zebra OR", "OR", "AND",
        "NOT zebra", "zebra NOT", "zebra AND AND lion", "content:zebra", "{content reasoning}: zebra", "^zebra", "zebra^",
        "-zebra", "+zebra", "zebra\"", "\"zebra", "ze\"bra", "*zebra", "zebra**", "\"zebra herd\"*", "'; DROP TABLE messages; --",
        "\u{0}", "zebra\u{0}river", "\u{2}zebra\u{3}", "🦓", "🦓 zebra", "\\", "%", "%%", "_", ":", "::", ".", ",", "\t\n",
        "  ", "", String(repeating: "(", count: 999), String(repeating: "zebra ", count: 100),
        String(repeating: "a", count: 10_000), String(repeating: "\"", count: 10_240), String(repeating: "NEAR(", count: 2_048),
        String(repeating: "é", count: 1_000), String(repeating: "é", count: 1_001),
    ]

    @Test(arguments: TempDatabase.engines, SearchTests.hostile)
    func hostileQueriesAreRefusedClearlyOrSearchedSafely(_ engine: DatabaseEngine, text: String) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try await Self.repository(db)
        let query: SearchQuery
        do throws(SearchQueryError) {
            query = try SearchQuery(parsing: text)
        } catch {
            #expect(!error.message.isEmpty)
            return
        }
        #expect(!query.matchExpression.contains("\u{0}"))
        // Any database error here fails the test: a query that parses must run.
        let hits = try await repository.search(query, ownerID: "owner", limit: 20)
        #expect(hits.count <= 20)
    }

    @Test(arguments: TempDatabase.engines) func aVeryCommonWordIsRankedAmongItsNewestMatches(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let window = SQLChatRepository.rankingWindow
        try ExportImportFixture.bulkInsert(db, conversations: (window + 1_000) / 2, messages: 2, bytes: 12)
        let repository = try db.repository()
        let hits = try await repository.search(try SearchQuery(parsing: "xxxxxxxxxxxx"), ownerID: "owner", limit: 100)
        #expect(hits.count == 100)
        // Bulk message ids start with their insertion index in hex.
        let oldest = hits.compactMap { Int($0.messageID.prefix(8), radix: 16) }.min() ?? -1
        #expect(oldest >= 1_000, "only the newest \(window) matches are ranked")
    }

    @Test func refusalsSayWhy() {
        #expect(throws: SearchQueryError.empty) { try SearchQuery(parsing: " ( ) * \" ") }
        #expect(throws: SearchQueryError.tooLong(max: 1_000)) { try SearchQuery(parsing: String(repeating: "a", count: 10_240)) }
        #expect(throws: SearchQueryError.tooManyTerms(max: 32)) { try SearchQuery(parsing: String(repeating: "w ", count: 33)) }
    }

    @Test func everyTermIsQuoted() throws {
        #expect(try SearchQuery(parsing: "zebra NEAR( \"a b\" pre* ze\"bra").matchExpression
                == #""zebra"* AND "NEAR("* AND "a b" AND "pre"* AND "ze"* AND "bra""#)
        #expect(try SearchQuery(parsing: "\"open phrase").matchExpression == #""open phrase""#)
        #expect(try SearchQuery(parsing: "OR AND NOT").matchExpression == #""OR"* AND "AND"* AND "NOT"*"#)
        #expect(try SearchQuery(parsing: "a x* 1 é").matchExpression == #""a" AND "x"* AND "1" AND "é""#,
                "one letter or digit is a whole word unless asked for as a prefix")
    }
}
