import Foundation
import NTArchive
import NTChat
import NTStorage
import NTSystem
import PostgresTestSupport
import Testing

/// Pruning: only verified and unchanged conversations leave the database, budgets do not move, import brings them
/// back exactly.
@Suite("Archive prune")
struct ArchivePruneTests {
    static let august = UTCDay(year: 2026, month: 8, day: 10)

    @Test("prune then import restores the same rows, and spend counts each answer once throughout", arguments: TestDatabase.engines)
    func pruneAndImportRoundTrip(_ engine: DatabaseEngine) async throws {
        let scratch = try ArchiveScratch(engine)
        defer { scratch.remove() }
        let lines = [
            Fixture.line(1, updated: "2026-08-10T10:00:00.000Z", answers: 2, cost: 0.125),
            Fixture.line(2, updated: "2026-08-10T11:00:00.000Z", answers: 1, cost: 0.5),
            Fixture.line(3, updated: "2026-07-31T23:00:00.000Z", answers: 3, cost: 0.0625),
            Fixture.line(4, updated: "2026-11-20T10:00:00.000Z", answers: 1, cost: 1),
        ]
        try await Fixture.load(lines, into: scratch.repository)
        let before = try await scratch.snapshot()
        let spendBefore = try await scratch.repository.spend(day: Self.august, conversationID: Fixture.id(1))
        let julyBefore = try await scratch.repository.spend(day: UTCDay(year: 2026, month: 7, day: 31), conversationID: nil)
        #expect(spendBefore.today == 0.75 && spendBefore.month == 0.75 && spendBefore.conversation == 0.25)

        let report = await scratch.runner(prune: true).run()
        #expect(report.ok, "\(report.error ?? "")")
        #expect(report.archivedConversations == 3 && report.prunedConversations == 3 && report.keptChanged == 0)
        #expect(try await scratch.ids() == [Fixture.id(4)])
        #expect(try await scratch.repository.spend(day: Self.august, conversationID: Fixture.id(1)) == spendBefore,
                "pruned answers still count toward the day, the month and their conversation")
        #expect(try await scratch.repository.spend(day: UTCDay(year: 2026, month: 7, day: 31), conversationID: nil) == julyBefore)

        // A second run neither archives nor prunes anything more.
        let again = await scratch.runner(prune: true).run()
        #expect(again.ok && again.archivedConversations == 0 && again.prunedConversations == 0)

        for file in scratch.files() { try await Fixture.load(try scratch.bytes(of: file), into: scratch.repository) }
        #expect(try await scratch.snapshot() == before, "the same ids, messages, costs and timestamps")
        #expect(try await scratch.repository.spend(day: Self.august, conversationID: Fixture.id(1)) == spendBefore,
                "restored answers are not counted twice")
        #expect(try await scratch.repository.spend(day: UTCDay(year: 2026, month: 7, day: 31), conversationID: nil) == julyBefore)

        // Conversations brought back by hand stay until they change and age again.
        let afterImport = await scratch.runner(prune: true).run()
        #expect(afterImport.ok && afterImport.archivedConversations == 0 && afterImport.prunedConversations == 0)
        #expect(try await scratch.ids().count == 4)
    }

    @Test("a message that arrives between archive and prune keeps its conversation in the database", arguments: TestDatabase.engines)
    func touchedAfterArchiveIsNotPruned(_ engine: DatabaseEngine) async throws {
        let scratch = try ArchiveScratch(engine)
        defer { scratch.remove() }
        try await Fixture.load([1, 2].map { Fixture.line($0, updated: "2026-08-0\($0)T10:00:00.000Z") }, into: scratch.repository)
        let repository = scratch.repository
        let touched = Fixture.id(1)

        var runner = scratch.runner(prune: true)
        runner.hooks.beforePrune = {
            // The file holding conversation 1 is written and verified; now a new turn comes in.
            let rows = try? await repository.beginTurn(conversationID: touched, userContent: "one more thing", model: "m/test",
                                                       requestID: "req-race", workerPID: 1, replacingLastAnswer: false)
            var outcome = MessageOutcome(status: .complete, content: "sure", reasoning: "")
            outcome.costUSD = 0.01
            if let rows { try? await repository.finish(messageID: rows.assistant.id, outcome: outcome) }
        }
        let report = await runner.run()
        #expect(report.ok, "\(report.error ?? "")")
        #expect(report.archivedConversations == 2 && report.prunedConversations == 1 && report.keptChanged == 1)
        #expect(try await scratch.ids() == [touched])
        let kept = try #require(try await repository.exportConversation(id: touched))
        #expect(kept.messages.count == 4 && kept.messages.last?.content == "sure")

        // Its new state is recent: nothing more happens now, and it is archived again once it is old.
        let now = await scratch.runner(prune: true).run()
        #expect(now.archivedConversations == 0 && now.prunedConversations == 0)
        let later = await scratch.runner(prune: true, now: UTCTime(unix: Fixture.now.unix + 200 * 86_400)).run()
        #expect(later.ok && later.archivedConversations == 1 && later.prunedConversations == 1, "\(later.error ?? "")")
        #expect(try await scratch.ids().isEmpty)
    }

    @Test("a conversation with an answer still streaming is never archived", arguments: TestDatabase.engines)
    func streamingIsNotArchived(_ engine: DatabaseEngine) async throws {
        let scratch = try ArchiveScratch(engine)
        defer { scratch.remove() }
        try await Fixture.load([Fixture.line(1, updated: "2026-08-01T10:00:00.000Z")], into: scratch.repository)
        _ = try await scratch.repository.beginTurn(conversationID: Fixture.id(1), userContent: "hi", model: "m", requestID: "r",
                                                   workerPID: 1, replacingLastAnswer: false)
        // Even a year later: the streaming answer has to end first.
        let report = await scratch.runner(prune: true, now: UTCTime(unix: Fixture.now.unix + 365 * 86_400)).run()
        #expect(report.ok && report.archivedConversations == 0)
        #expect(try await scratch.ids() == [Fixture.id(1)])
    }

    @Test("a conversation too large for one import record stays in the database and does not stop the others", arguments: TestDatabase.engines)
    func oversizedIsLeftInTheDatabase(_ engine: DatabaseEngine) async throws {
        let scratch = try ArchiveScratch(engine)
        defer { scratch.remove() }
        try await Fixture.load([
            Fixture.line(1, updated: "2026-08-01T10:00:00.000Z"),
            Fixture.line(2, updated: "2026-08-02T10:00:00.000Z", answers: 40),
            Fixture.line(3, updated: "2026-09-01T10:00:00.000Z"),
        ], into: scratch.repository)
        // A record limit between the small conversations' lines (well under 4 KB) and the 40-answer one's.
        let limits = ImportLimits(maxRecordBytes: 4096)
        for _ in 0..<2 {  // and again: the big one is selected each run, skipped each run, never blocks
            let report = await scratch.runner(prune: true, recordLimits: limits).run()
            #expect(report.ok && report.oversized == 1, "\(report.error ?? "")")
        }
        #expect(try await scratch.ids() == [Fixture.id(2)])
        #expect(scratch.files() == ["2026-08.jsonl.zst", "2026-09.jsonl.zst"])
    }
}
