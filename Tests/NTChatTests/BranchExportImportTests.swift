import Foundation
import NTChat
import NTStorage
import Testing

/// Exports and imports of trees (ADR 0006, ADR 0017): JSON carries every branch and the current leaf, Markdown the
/// visible path; an import round-trips a tree exactly, checks its parents, and reads files from before trees as
/// linear chains.
struct BranchExportImportTests {
    /// A conversation with an edited question, a regenerated answer and the current leaf on an older branch.
    static func branched(_ repository: SQLChatRepository) async throws -> String {
        let c = try await repository.createConversation(title: "Branches", model: "m", systemPrompt: nil, ownerID: "owner").id
        let first = try await MessageTreeTests.turn(repository, c, "q1", answer: "a1", cost: 0.25)
        let second = try await MessageTreeTests.turn(repository, c, "q2", answer: "a2")
        try await MessageTreeTests.turn(repository, c, "q2 edited", .editOf(try #require(second.user?.id)), answer: "b2")
        try await MessageTreeTests.turn(repository, c, nil, .regenerate(first.assistant.id), answer: "a1 again", cost: 0.5)
        try await repository.setLeaf(conversationID: c, through: second.assistant.id)
        return c
    }

    @Test(arguments: TempDatabase.engines) func aTreeAndItsCurrentLeafRoundTripExactly(_ engine: DatabaseEngine) async throws {
        let source = try TempDatabase(engine)
        let target = try TempDatabase(engine)
        defer { source.cleanup(); target.cleanup() }
        let original = try source.repository()
        let c = try await Self.branched(original)
        let before = try await ExportImportFixture.everything(original)
        #expect(before[0].conversation.currentLeafID == before[0].messages[3].id, "the leaf is not the newest message")

        let file = try await ExportImportFixture.export(original)
        #expect(String(decoding: file.prefix(100), as: UTF8.self).contains(#""version":2"#))
        let restored = try target.repository()
        let summary = try await ExportImportFixture.importBytes(file, into: restored)
        #expect(summary.conversationsAdded == 1 && summary.messagesAdded == 7)
        #expect(try ExportImportFixture.json(try await ExportImportFixture.everything(restored)) == ExportImportFixture.json(before))
        #expect(try await ExportImportFixture.export(restored) == file, "byte for byte")
        #expect(try await restored.path(conversationID: c) == original.path(conversationID: c))
        #expect(try await ExportImportFixture.importBytes(file, into: restored).conversationsUnchanged == 1)

        let document = try #require(try await ConversationExporter(repository: original).export(conversationID: c, ownerID: nil, format: .json))
        let again = try TempDatabase(engine)
        defer { again.cleanup() }
        let fromDocument = try again.repository()
        _ = try await ExportImportFixture.importBytes(document.bytes, into: fromDocument)
        #expect(try await fromDocument.exportConversation(id: c) == original.exportConversation(id: c))
    }

    @Test(arguments: TempDatabase.engines) func aFileFromBeforeTreesImportsAsOneLinearChain(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let summary = try await ExportImportFixture.importText(LegacyExportFixture.document, into: repository)
        #expect(summary.conversationsAdded == 1 && summary.messagesAdded == 4)
        let ids = LegacyExportFixture.messageIDs
        let messages = try await repository.messages(conversationID: LegacyExportFixture.conversationID)
        #expect(messages.map(\.id) == ids)
        #expect(messages.map(\.parentID) == [nil, ids[0], ids[1], ids[2]])
        #expect(try await repository.conversation(id: LegacyExportFixture.conversationID)?.currentLeafID == ids[3])
        #expect(try await repository.path(conversationID: LegacyExportFixture.conversationID).map(\.id) == ids)
        #expect(try await ExportImportFixture.importText(LegacyExportFixture.document, into: repository).conversationsUnchanged == 1,
                "the same old file again: the chain it makes is the one stored")
    }

    static let header = #"{"exported_at":"2026-11-30T05:00:00.000Z","format":"neural-terminal-export","version":2}"#

    /// A record of two messages with the given parents (nil: the key left out; "null": a first message) and leaf.
    static func record(parents: [String?], leaf: String? = nil) -> String {
        let ids = ["33333333-2222-4333-8444-000000000001", "33333333-2222-4333-8444-000000000002"]
        let messages = zip(ids, parents).map { id, parent in
            let link = parent.map { $0 == "null" ? #","parent_id":null"# : #","parent_id":"\#($0)""# } ?? ""
            return #"{"id":"\#(id)","role":"user","content":"x","status":"complete","created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z"\#(link)}"#
        }
        let leafKey = leaf.map { #","current_leaf_id":"\#($0)""# } ?? ""
        return #"{"conversation":{"id":"33333333-2222-4333-8444-555555555555","title":"t","created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z"\#(leafKey)},"messages":[\#(messages.joined(separator: ","))]}"#
    }

    @Test(arguments: TempDatabase.engines, [
        (record(parents: ["null", "44444444-2222-4333-8444-000000000009"]),
         "line 2: messages[1].parent_id: 44444444-2222-4333-8444-000000000009 is not a message of this conversation"),
        (record(parents: ["33333333-2222-4333-8444-000000000002", "null"]),
         "line 2: messages[0].parent_id: 33333333-2222-4333-8444-000000000002 is listed after this message (messages[1])"),
        (record(parents: ["null", "33333333-2222-4333-8444-000000000002"]), "line 2: messages[1].parent_id: a message cannot follow itself"),
        (record(parents: ["null", "null"], leaf: "44444444-2222-4333-8444-000000000009"),
         "line 2: conversation.current_leaf_id: 44444444-2222-4333-8444-000000000009 is not a message of this conversation"),
        (record(parents: ["null", "null"]).replacingOccurrences(of: #""parent_id":null"#, with: #""parent_id":7"#),
         "line 2: messages[0].parent_id: expected a string"),
    ])
    func aBadParentIsRefusedWithASentenceAndStoresNothing(_ engine: DatabaseEngine, _ example: (String, String)) async throws {
        let (input, expected) = example
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        do {
            _ = try await ExportImportFixture.importText(Self.header + "\n" + input + "\n", into: repository)
            Issue.record("accepted: \(input)")
        } catch let error as ImportError {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
        #expect(try await repository.conversationCount(ownerID: nil) == 0)
    }

    @Test(arguments: TempDatabase.engines) func twoFirstMessagesAndALeafOnTheOlderOneImportAsGiven(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        _ = try await ExportImportFixture.importText(
            Self.header + "\n" + Self.record(parents: ["null", "null"], leaf: "33333333-2222-4333-8444-000000000001"), into: repository)
        let c = "33333333-2222-4333-8444-555555555555"
        #expect(try await repository.messages(conversationID: c).map(\.parentID) == [nil, nil])
        #expect(try await repository.path(conversationID: c).map(\.id) == ["33333333-2222-4333-8444-000000000001"])
    }

    @Test(arguments: TempDatabase.engines) func markdownShowsTheVisiblePathAndSaysHowManyOtherBranchesThereAre(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let c = try await Self.branched(repository)
        let file = try #require(try await ConversationExporter(repository: repository).export(conversationID: c, ownerID: nil, format: .markdown))
        let text = String(decoding: file.bytes, as: UTF8.self)
        #expect(text.contains("- **Messages:** 4\n"))
        #expect(text.contains("- **Other branches:** 2 (not shown here; the JSON export holds every branch)\n"), "\(text)")
        #expect(text.contains("- **Total cost:** $0.7500 (all branches)\n"))
        #expect(text.contains("\nq2\n") && text.contains("\na2\n"))
        #expect(!text.contains("q2 edited") && !text.contains("a1 again"))

        let linear = try await repository.createConversation(title: "Linear", model: nil, systemPrompt: nil, ownerID: "owner").id
        try await MessageTreeTests.turn(repository, linear, "q", answer: "a")
        let plain = try #require(try await ConversationExporter(repository: repository).export(conversationID: linear, ownerID: nil, format: .markdown))
        #expect(!String(decoding: plain.bytes, as: UTF8.self).contains("Other branches"))
    }
}
