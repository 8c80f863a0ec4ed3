import Foundation
import NTChat
import NTStorage
import Testing

/// Export and import (ADR 0006): what goes out comes back exactly, a re-import changes nothing, and bad input
/// is refused with the line at fault.
struct ExportImportTests {
    @Test(arguments: TempDatabase.engines) func exportThenImportRestoresEveryConversationExactlyInEveryStatus(_ engine: DatabaseEngine) async throws {
        let source = try TempDatabase(engine)
        let target = try TempDatabase(engine)
        defer { source.cleanup(); target.cleanup() }
        let original = try source.repository()
        try await ExportImportFixture.populate(original)
        let before = try await ExportImportFixture.everything(original)
        #expect(Set(before.flatMap(\.messages).map(\.status)) == Set(MessageStatus.allCases), "the fixture has every status")

        let file = try await ExportImportFixture.export(original)
        let restored = try target.repository()
        let summary = try await ExportImportFixture.importBytes(file, into: restored)
        #expect(summary.conversationsAdded == 3)
        #expect(summary.messagesAdded == before.reduce(0) { $0 + $1.messages.count })
        #expect(summary.conversationsUnchanged == 0 && summary.conversationsUpdated == 0 && summary.conflicts == 0)

        // What was streaming comes back interrupted (nothing will ever finish it there); all else is identical.
        let expected = before.map { archived in
            var copy = archived
            copy.messages = archived.messages.map { message in
                guard message.status == .streaming else { return message }
                var m = message
                m.status = .interrupted
                m.error = "the answer was still streaming when it was exported"
                return m
            }
            return copy
        }
        let after = try await ExportImportFixture.everything(restored)
        #expect(after.count == expected.count)
        for (want, got) in zip(expected, after) {
            #expect(try ExportImportFixture.json(got.conversation) == ExportImportFixture.json(want.conversation))
            #expect(try ExportImportFixture.json(got.messages) == ExportImportFixture.json(want.messages))
        }
        let cost = try #require(after.flatMap(\.messages).compactMap(\.costUSD).first)
        #expect(cost == 0.1 + 0.2, "a cost survives to the last bit")
        #expect(try await restored.messages(conversationID: after[0].conversation.id).map(\.id) == expected[0].messages.map(\.id),
                "message order is kept")
    }

    @Test(arguments: TempDatabase.engines) func reimportingTheSameFileChangesNothing(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        try await ExportImportFixture.populate(repository)
        let raw = try db.connection()
        // Settle the streaming answer first (a conversation that is streaming is never replaced).
        _ = try await repository.markInterrupted { _ in false }
        let file = try await ExportImportFixture.export(repository)
        let messages = try raw.scalarInt("SELECT COUNT(*) FROM messages")
        let indexed = try db.indexed("zebras")

        for _ in 0..<2 {
            let summary = try await ExportImportFixture.importBytes(file, into: repository, chunk: 4096)
            #expect(summary.conversationsUnchanged == 3)
            #expect(summary.conversationsAdded == 0 && summary.conversationsUpdated == 0 && summary.conflicts == 0)
            #expect(summary.messagesAdded == 0 && summary.messagesUpdated == 0 && summary.messagesKept == 0)
        }
        #expect(try raw.scalarInt("SELECT COUNT(*) FROM conversations") == 3)
        #expect(try raw.scalarInt("SELECT COUNT(*) FROM messages") == messages)
        #expect(try db.indexed("zebras") == indexed,
                "the full-text index holds no duplicates")
        #expect(try await ExportImportFixture.export(repository) == file, "the database is byte-for-byte the same export")
    }

    @Test(arguments: TempDatabase.engines) func newerCopiesOfTheRowAndOfMessagesWinAndATieKeepsTheDatabases(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")
        let turn = try await repository.beginTurn(conversationID: conversation.id, userContent: "q", model: "m", requestID: "r",
                                                  workerPID: 1, replacingLastAnswer: false)
        try await repository.finish(messageID: turn.assistant.id, outcome: MessageOutcome(status: .complete, content: "a", reasoning: ""))
        let old = try #require(try await repository.exportConversation(id: conversation.id))

        // The database moves on: the file's row is older, so the database's title is kept.
        try await Task.sleep(for: .milliseconds(5))
        _ = try await repository.updateConversation(id: conversation.id, patch: ConversationPatch(title: "renamed"))
        var summary = try await ExportImportFixture.importBytes(try ExportEncoding.line(old), into: repository, chunk: 100)
        #expect(summary.conversationsUnchanged == 1 && summary.conversationsUpdated == 0)
        #expect(try await repository.conversation(id: conversation.id)?.title == "renamed")

        // A tie on a message's updated_at keeps the database's copy.
        var tie = old
        tie.messages[1].content = "same time, other text"
        summary = try await ExportImportFixture.importBytes(try ExportEncoding.line(tie), into: repository, chunk: 100)
        #expect(summary.conversationsUnchanged == 1 && summary.messagesKept == 1)

        // A newer file updates the row and the message it holds a newer copy of.
        try await Task.sleep(for: .milliseconds(5))
        var newer = old
        newer.conversation.title = "from the file"
        newer.conversation.updatedAt = Identifiers.now()
        newer.messages[1].content = "a better answer"
        newer.messages[1].updatedAt = newer.conversation.updatedAt
        summary = try await ExportImportFixture.importBytes(try ExportEncoding.line(newer), into: repository, chunk: 100)
        #expect(summary.conversationsUpdated == 1 && summary.messagesUpdated == 1 && summary.messagesAdded == 0)
        #expect(try await repository.conversation(id: conversation.id)?.title == "from the file")
        #expect(try await repository.messages(conversationID: conversation.id).map(\.content) == ["q", "a better answer"])
        let raw = try db.connection()
        #expect(try db.indexed("better") == 1)
        #expect(try raw.scalarInt("SELECT COUNT(*) FROM messages") == 2)
    }

    @Test(arguments: TempDatabase.engines) func aSingleConversationDocumentImportsAndHasTheHeaderFields(_ engine: DatabaseEngine) async throws {
        let source = try TempDatabase(engine)
        let target = try TempDatabase(engine)
        defer { source.cleanup(); target.cleanup() }
        let repository = try source.repository()
        let ids = try await ExportImportFixture.populate(repository)
        let file = try #require(try await ConversationExporter(repository: repository).export(conversationID: ids[0], ownerID: nil, format: .json))
        #expect(file.fileName == "zebras-quotes-n-c-d-\(ids[0].prefix(8)).json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(file.bytes)) as? [String: Any])
        #expect(object["format"] as? String == "neural-terminal-export")
        #expect(object["version"] as? Int == 2)
        #expect(object["exported_at"] is String)
        #expect((object["messages"] as? [Any])?.count == 6)
        #expect(String(decoding: file.bytes, as: UTF8.self).contains("\n  "), "pretty-printed")

        let restored = try target.repository()
        let summary = try await ExportImportFixture.importBytes(file.bytes, into: restored, chunk: 3)
        #expect(summary.conversationsAdded == 1 && summary.messagesAdded == 6)
        #expect(try await restored.exportConversation(id: ids[0]) == (try await repository.exportConversation(id: ids[0])))
    }

    @Test(arguments: TempDatabase.engines) func markdownReadsAsADocument(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let ids = try await ExportImportFixture.populate(repository)
        let file = try #require(try await ConversationExporter(repository: repository).export(conversationID: ids[0], ownerID: nil, format: .markdown))
        let text = String(decoding: file.bytes, as: UTF8.self)
        #expect(file.fileName.hasSuffix("-\(ids[0].prefix(8)).md"))
        #expect(text.hasPrefix("# Zebras & \"quotes\" — ünïcödé 🦓\n"))
        #expect(text.contains("- **Model:** `openai/gpt-4o`"))
        #expect(text.contains("- **Messages:** 6"))
        #expect(text.contains("- **Total cost:** $0.3000"))
        #expect(text.contains("### ASSISTANT · openai/gpt-4o · 357 tokens · $0.3000 · complete · "))
        #expect(text.contains("### ASSISTANT · anthropic/claude · stopped · "))
        #expect(text.contains("### USER · "))
        #expect(text.contains("<details>\n<summary>Reasoning</summary>\n\n> Think.\n> Then answer.\n\n</details>"))
        #expect(text.contains("> **Error:** upstream_502: the model is down"))
        #expect(text.contains("```swift\nlet x = 1\n```"))
    }

    static let conversationID = "11111111-2222-4333-8444-555555555555"
    static let messageID = "11111111-2222-4333-8444-666666666666"

    static func record(conversation: String = #""id":"\#(ExportImportTests.conversationID)","title":"t","created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z""#,
                       message: String) -> String {
        #"{"conversation":{\#(conversation)},"messages":[{\#(message)}]}"#
    }

    static let goodMessage = #""id":"\#(ExportImportTests.messageID)","role":"user","content":"hi","status":"complete","created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z""#

    @Test(arguments: TempDatabase.engines, [
        (ExportImportTests.record(message: ExportImportTests.goodMessage.replacingOccurrences(of: #""status":"complete""#, with: #""status":"done""#)),
         "messages[0].status: \"done\" is not one of streaming, complete, stopped, error, interrupted"),
        (ExportImportTests.record(message: ExportImportTests.goodMessage.replacingOccurrences(of: #""role":"user""#, with: #""role":"robot""#)), "messages[0].role"),
        (ExportImportTests.record(message: ExportImportTests.goodMessage + #","prompt_tokens":-1"#), "messages[0].prompt_tokens: must not be negative"),
        (ExportImportTests.record(message: ExportImportTests.goodMessage + #","cost_usd":"cheap""#), "messages[0].cost_usd: expected a number"),
        (ExportImportTests.record(message: ExportImportTests.goodMessage.replacingOccurrences(of: "2026-01-01T00:00:00.000Z", with: "yesterday")), "messages[0].created_at"),
        (ExportImportTests.record(message: ExportImportTests.goodMessage.replacingOccurrences(of: ExportImportTests.messageID, with: "42")), "messages[0].id"),
        (ExportImportTests.record(message: ExportImportTests.goodMessage + #","conversation_id":"11111111-2222-4333-8444-000000000000""#), "messages[0].conversation_id"),
        (ExportImportTests.record(message: #""id":"\#(ExportImportTests.messageID)","role":"user","status":"complete","created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z""#),
         "messages[0].content: is missing"),
        (ExportImportTests.record(conversation: #""id":"\#(ExportImportTests.conversationID)","title":null,"created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z""#, message: ExportImportTests.goodMessage),
         "conversation.title"),
        (#"{"format":"something-else","version":1}"#, "format: \"something-else\" is not neural-terminal-export"),
        (#"{"format":"neural-terminal-export","version":3}"#, "version 3 is not supported; this binary reads versions 1 to 2"),
        (#"{"hello":"world"}"#, "expected a header or a conversation"),
        (#"{"conversation": {"id": }}"#, "not valid JSON"),
        (#"["not","an","object"]"#, "the record: expected an object"),
        ("42", "expected a JSON object, found '4'"),
        (#"{"format":"neural-terminal-export","version":1"#, "the input ends inside the record"),
        ("", "the input holds no export"),
    ])
    func badInputIsRefusedWithItsLine(_ engine: DatabaseEngine, _ example: (String, String)) async throws {
        let (input, expected) = example
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let header = #"{"exported_at":"2026-11-30T05:00:00.000Z","format":"neural-terminal-export","version":1}"#
        let good = Self.record(conversation: #""id":"22222222-2222-4333-8444-555555555555","title":"ok","created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z""#,
                               message: Self.goodMessage.replacingOccurrences(of: Self.messageID, with: "22222222-2222-4333-8444-666666666666"))
        let text = input.isEmpty ? "" : "\(header)\n\(good)\n\n\(input)\n"
        do {
            _ = try await ExportImportFixture.importText(text, into: repository)
            Issue.record("accepted: \(input)")
        } catch let error as ImportError {
            #expect(error.description.contains(expected), "\(error.description)")
            if !input.isEmpty {
                #expect(error.line == 4, "\(error.description)")
                #expect(error.imported.conversationsAdded == 1, "the conversation before the bad line is kept")
            }
        }
    }

    @Test(arguments: TempDatabase.engines) func aMessageIDOfAnotherConversationIsRefused(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        _ = try await ExportImportFixture.importText(Self.record(message: Self.goodMessage), into: repository)
        let thief = Self.record(conversation: #""id":"99999999-2222-4333-8444-555555555555","title":"t","created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z""#,
                                message: Self.goodMessage)
        await #expect(throws: ImportError.self) { _ = try await ExportImportFixture.importText(thief, into: repository) }
        do {
            _ = try await ExportImportFixture.importText(thief, into: repository)
        } catch let error as ImportError {
            #expect(error.message.contains("already exists in another conversation") && !error.message.contains(Self.conversationID))
        }
        #expect(try await repository.conversation(id: "99999999-2222-4333-8444-555555555555") == nil, "rolled back")
    }

    @Test(arguments: TempDatabase.engines) func limitsAreEnforced(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let big = Self.record(message: Self.goodMessage.replacingOccurrences(of: #""content":"hi""#, with: "\"content\":\"\(String(repeating: "a", count: 5_000))\""))
        do {
            _ = try await ExportImportFixture.importBytes(Array(big.utf8), into: repository, chunk: 512, limits: ImportLimits(maxRecordBytes: 4_096))
            Issue.record("a record over the limit was accepted")
        } catch let error as ImportError {
            #expect(error.kind == .tooLarge && error.line == 1)
        }
        do {
            _ = try await ExportImportFixture.importBytes(Array((big + "\n" + big).utf8), into: repository, chunk: 1_000,
                                                     limits: ImportLimits(maxTotalBytes: 8_000))
            Issue.record("an input over the limit was accepted")
        } catch let error as ImportError {
            #expect(error.kind == .tooLarge)
        }
    }

    @Test func theSplitterFindsRecordsAcrossChunksAndIgnoresBracesInStrings() throws {
        let text = "\u{FEFF}{\"a\":\"}{\\\"\"}\n\n  {\"b\":\n [1,{\"c\":\"]\"}]}\r\n{}"
        let bytes = Array(text.utf8)
        for chunk in [1, 2, 5, bytes.count] {
            var splitter = JSONRecordSplitter(maxRecordBytes: 1_000)
            var records: [JSONRecordSplitter.Record] = []
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + chunk)
                records += Array(bytes[start..<end]).withUnsafeBytes { splitter.append($0) }
                #expect(splitter.failure == nil)
                start = end
            }
            try splitter.finish()
            #expect(records.map(\.line) == [1, 3, 5], "chunk \(chunk)")
            #expect(records.map { String(decoding: $0.bytes, as: UTF8.self) } == ["{\"a\":\"}{\\\"\"}", "{\"b\":\n [1,{\"c\":\"]\"}]}", "{}"])
        }
    }

    /// 10,000 conversations go out a page at a time: the exporter never asks for more than a page, never hands
    /// over more than a chunk (the constant-memory figure itself comes from bench/archive_bench.sh).
    @Test(arguments: TempDatabase.engines) func exportingTenThousandConversationsRunsInConstantMemory(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        try ExportImportFixture.bulkInsert(db, conversations: 10_000, messages: 2, bytes: 2_000)
        let repository = CountingRepository(try db.repository())
        let exporter = ConversationExporter(repository: repository, pageSize: 100, chunkSize: 64 * 1024)
        let baseline = ProcessMemory.residentBytes()
        var peak = baseline
        var largestChunk = 0
        var total = 0
        var lines = 0
        let count = try await exporter.exportAll(ownerID: nil) { bytes in
            largestChunk = max(largestChunk, bytes.count)
            total += bytes.count
            lines += bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            peak = max(peak, ProcessMemory.residentBytes())
        }
        #expect(count == 10_000)
        #expect(lines == 10_001, "a header and one line per conversation")
        #expect(total > 40_000_000)
        #expect(await repository.largestPage == 100)
        #expect(largestChunk < 64 * 1024 + 10_000, "chunks stay near the chunk size")
        // Resident memory is printed, not asserted: other tests share this process, so its RSS is no measure of
        // the exporter. bench/archive_bench.sh measures it alone (26 MiB for 1,000 and for 10,000 conversations).
        print("export of \(total >> 20) MiB: this process grew by \((peak - baseline) >> 20) MiB meanwhile")
    }
}

/// Wraps a repository and records the largest page the exporter asked for.
actor CountingRepository: ExportImportRepository {
    let inner: SQLChatRepository
    var largestPage = 0

    init(_ inner: SQLChatRepository) { self.inner = inner }

    func conversationCount(ownerID: String?) async throws -> Int { try await inner.conversationCount(ownerID: ownerID) }

    func exportPage(ownerID: String?, afterID: String?, limit: Int) async throws -> [ExportedConversation] {
        let page = try await inner.exportPage(ownerID: ownerID, afterID: afterID, limit: limit)
        largestPage = max(largestPage, page.count)
        return page
    }

    func exportConversation(id: String) async throws -> ExportedConversation? { try await inner.exportConversation(id: id) }

    func importConversation(_ archived: ExportedConversation, ownerID: String) async throws -> ImportResult { try await inner.importConversation(archived, ownerID: ownerID) }
}

enum ProcessMemory {
    /// VmRSS of this process, in bytes.
    static func residentBytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
        }
        return 0
    }
}
