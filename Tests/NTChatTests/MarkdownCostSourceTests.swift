import Foundation
import NTChat
import NTStorage
import Testing

/// The Markdown export tells an estimated cost from a final one: `~$` on the answer, and the total's estimated part.
struct MarkdownCostSourceTests {
    /// One answer per source, with its cost; returns the conversation's Markdown export.
    func exported(_ engine: DatabaseEngine, _ answers: [(CostSource?, Double?)]) async throws -> String {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let c = try await repository.createConversation(title: "costs", model: nil, systemPrompt: nil, ownerID: "owner")
        for (n, (source, cost)) in answers.enumerated() {
            let turn = try await repository.beginTurn(conversationID: c.id, userContent: "q\(n)", model: "m", requestID: "r\(n)",
                                                      workerPID: 1, replacingLastAnswer: false)
            var outcome = MessageOutcome(status: .complete, content: "a\(n)", reasoning: "")
            outcome.costUSD = cost
            outcome.costSource = source
            try await repository.finish(messageID: turn.assistant.id, outcome: outcome)
        }
        let file = try #require(try await ConversationExporter(repository: repository).export(conversationID: c.id, ownerID: nil, format: .markdown))
        return String(decoding: file.bytes, as: UTF8.self)
    }

    @Test(arguments: TempDatabase.engines) func anEstimatedAnswerReadsAsAnEstimateAndTheTotalSaysHowMuchIsEstimated(_ engine: DatabaseEngine) async throws {
        let text = try await exported(engine, [(.reported, 0.0015), (.estimated, 0.002), (.reconciled, 0.0005)])
        #expect(text.contains("### ASSISTANT · m · $0.0015 · complete · "))
        #expect(text.contains("### ASSISTANT · m · ~$0.0020 · complete · "))
        #expect(text.contains("### ASSISTANT · m · $0.0005 · complete · "))
        #expect(text.contains("- **Total cost:** $0.0040 (~$0.0020 estimated)\n"))
    }

    @Test(arguments: TempDatabase.engines) func finalCostsAndUnpricedAnswersCarryNoTilde(_ engine: DatabaseEngine) async throws {
        let text = try await exported(engine, [(.reconciled, 0.000004), (nil, nil)])
        #expect(text.contains("### ASSISTANT · m · $0.000004 · complete · "))
        #expect(text.contains("### ASSISTANT · m · complete · "))
        #expect(text.contains("- **Total cost:** $0.000004\n"))
        #expect(!text.contains("~"))
    }
}
