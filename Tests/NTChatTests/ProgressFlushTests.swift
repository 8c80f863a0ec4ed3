import NTChat
import NTStorage
import Testing

/// The periodic flush stores every streaming answer's text exactly, in one statement on PostgreSQL (the texts pass
/// as array literals), and leaves answers that ended alone.
struct ProgressFlushTests {
    /// Texts an array literal must carry unchanged: its own quoting and separators, the word NULL, braces,
    /// backslashes, newlines, emoji and combining marks.
    static let awkward = [
        #"say "hi", then {go}"#, #"C:\path\to\file and \"escaped\" quotes"#, "NULL", "", "line one\nline two\t tab",
        "emoji 🦤 and e\u{301} and 漢字", "{}", #"\"#, ",",
    ]

    @Test(arguments: TempDatabase.engines) func everyAnswerOfAFlushIsStoredExactly(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        var answers: [String] = []
        var conversations: [String: String] = [:]
        for index in Self.awkward.indices {
            let conversation = try await repository.createConversation(title: "c\(index)", model: nil, systemPrompt: nil, ownerID: "owner")
            let rows = try await repository.beginTurn(conversationID: conversation.id, parentID: nil, userContent: "q", model: "m",
                                                      requestID: "r\(index)", workerPID: 1)
            answers.append(rows.assistant.id)
            conversations[rows.assistant.id] = conversation.id
        }
        let ended = answers[0]
        var outcome = MessageOutcome(status: .complete, content: "final", reasoning: "")
        outcome.finishReason = "stop"
        try await repository.finish(messageID: ended, outcome: outcome)

        let updates = zip(answers, Self.awkward).map { id, text in
            ProgressUpdate(messageID: id, content: text, reasoning: "thinking: " + String(text.reversed()))
        }
        try await repository.saveProgress(updates)

        for (id, text) in zip(answers, Self.awkward) {
            let conversationID = try #require(conversations[id])
            let stored = try #require(try await repository.messages(conversationID: conversationID).first { $0.id == id })
            if id == ended {
                #expect(stored.content == "final" && stored.status == .complete, "an answer that ended is not overwritten")
            } else {
                #expect(stored.content == text, "\(engine): \(text.debugDescription) came back as \(stored.content.debugDescription)")
                #expect(stored.reasoning == "thinking: " + String(text.reversed()))
                #expect(stored.status == .streaming)
            }
        }
    }
}
