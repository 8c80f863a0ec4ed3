import Foundation
import NTChat
import NTStorage
import Testing

/// An answer is reported complete only once it is stored; one whose final state storage refused is reported as
/// such, kept, and stored once storage takes writes again.
@Suite(.timeLimit(.minutes(1)))
struct UnstoredAnswerTests {
    @Test func anAnswerThatCouldNotBeStoredIsNotReportedCompleteAndIsStoredLater() async throws {
        let db = try TempDatabase()
        defer { db.cleanup() }
        let repository = try SQLChatRepository(path: db.path)
        var steps = ScriptedUpstream.answer(["Hel", "lo"])
        steps.insert(.pause(.milliseconds(300)), at: 3)
        let service = ChatService.make(repository, ScriptedUpstream(steps))
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")
        let turn = try await service.start(.init(conversationID: conversation.id, content: "hi", requestID: "r"), logger: .init(label: "t"))

        var events: [ChatEvent] = []
        var lock: WriteLockTests.HeldLock?
        for await event in turn {
            events.append(event)
            // Another process takes the write lock while the answer streams, and keeps it past the answer's end.
            if case .delta = event, lock == nil { lock = try WriteLockTests.HeldLock(path: db.path) }
        }
        let ending = Array(events.suffix(2))
        guard ending.count == 2, case .error(let code, let message, let retryable) = ending[0] else {
            Issue.record("no error before done: \(ending)")
            return
        }
        #expect(code == "storage_busy")
        #expect(message.contains("could not be stored") && retryable)
        #expect(ending[1] == .done(status: .error, finishReason: "stop"), "never `complete` for an answer not stored")
        #expect(!events.contains(.done(status: .complete, finishReason: "stop")))
        #expect(try await repository.messages(conversationID: conversation.id).last?.status == .streaming)

        try lock?.release()
        let deadline = ContinuousClock.now + .seconds(20)
        var stored: Message?
        while ContinuousClock.now < deadline {
            stored = try await repository.messages(conversationID: conversation.id).last
            if stored?.status != .streaming { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(stored?.status == .complete, "stored once the lock was gone")
        #expect(stored?.content == "Hello")
    }
}
