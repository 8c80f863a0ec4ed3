import Foundation
import NTChat
import NTLog
import NTStorage
import Testing

/// An export carries where each cost comes from, and an import keeps it; files from before costs had a source
/// hold reported costs.
struct CostSourceExportTests {
    /// A conversation with one estimated answer, exported and returned as JSON text.
    func exportedWithAnEstimate(_ repository: SQLChatRepository) async throws -> String {
        let c = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")
        let turn = try await repository.beginTurn(conversationID: c.id, userContent: "q", model: "m", requestID: "r", workerPID: 1, replacingLastAnswer: false)
        var outcome = MessageOutcome(status: .stopped, content: "half", reasoning: "")
        outcome.costUSD = 0.002
        outcome.costSource = .estimated
        try await repository.finish(messageID: turn.assistant.id, outcome: outcome)
        let exported = try #require(try await repository.exportConversation(id: c.id))
        return ImportHostileTests.header + "\n" + (try ExportImportFixture.json(exported)) + "\n"
    }

    @Test(arguments: TempDatabase.engines) func anEstimatedCostRoundTripsAsEstimated(_ engine: DatabaseEngine) async throws {
        let source = try TempDatabase(engine), target = try TempDatabase(engine)
        defer { source.cleanup(); target.cleanup() }
        let text = try await exportedWithAnEstimate(try source.repository())
        #expect(text.contains(#""cost_source":"estimated""#))
        let repository = try target.repository()
        _ = try await ImportHostileTests.importText(text, into: repository, clock: .now())
        let conversation = try #require(try await repository.conversations(ownerID: "owner", limit: 1, offset: 0).conversations.first)
        let answer = try #require(try await repository.messages(conversationID: conversation.id).last)
        #expect(answer.costSource == .estimated && answer.costUSD == 0.002)
        #expect(try await repository.spend(day: .today(), conversationID: nil).estimatedToday <= 0.002)
    }

    @Test(arguments: TempDatabase.engines) func aFileWithoutSourcesHoldsReportedCostsAndAnUnknownSourceIsRefused(_ engine: DatabaseEngine) async throws {
        let source = try TempDatabase(engine), target = try TempDatabase(engine)
        defer { source.cleanup(); target.cleanup() }
        let text = try await exportedWithAnEstimate(try source.repository())
        let repository = try target.repository()

        let unknown = text.replacingOccurrences(of: #""cost_source":"estimated""#, with: #""cost_source":"guessed""#)
        let error = await #expect(throws: ImportError.self) { _ = try await ImportHostileTests.importText(unknown, into: repository, clock: .now()) }
        #expect(error?.description.contains("cost_source: \"guessed\" is not one of reported, reconciled, estimated") == true,
                "\(String(describing: error))")

        let old = text.replacingOccurrences(of: #""cost_source":"estimated","#, with: "")
        _ = try await ImportHostileTests.importText(old, into: repository, clock: .now())
        let conversation = try #require(try await repository.conversations(ownerID: "owner", limit: 1, offset: 0).conversations.first)
        let answer = try #require(try await repository.messages(conversationID: conversation.id).last)
        #expect(answer.costSource == .reported && answer.costUSD == 0.002)
    }
}
