import Foundation
import NTChat
import NTLog
import NTStorage
import Testing

/// Hostile imports (ADR 0006): an import adds and updates but never deletes, takes only the exporter's UTC
/// timestamps and nothing from the future, holds every field to the API's limits, and refuses an oversized
/// record while reading it.
struct ImportHostileTests {
    static let header = #"{"exported_at":"2026-11-30T05:00:00.000Z","format":"neural-terminal-export","version":1}"#
    /// A fixed "now" for the clock: 2026-12-01T00:00:00.000Z.
    static let now = LogTimestamp(seconds: 1_796_083_200)

    static func importText(_ text: String, into repository: SQLChatRepository, limits: ImportLimits = ImportLimits(),
                           clock: LogTimestamp = ImportHostileTests.now) async throws -> ImportSummary {
        let importer = ConversationImporter(repository: repository, limits: limits, clock: { clock })
        try await importer.feed(Array(text.utf8))
        return try importer.finish()
    }

    /// A conversation of four messages, settled.
    static func conversation(_ repository: SQLChatRepository) async throws -> ExportedConversation {
        let c = try await repository.createConversation(title: "kept", model: nil, systemPrompt: nil, ownerID: "owner")
        for question in ["q1", "q2"] {
            let turn = try await repository.beginTurn(conversationID: c.id, userContent: question, model: "m", requestID: "r",
                                                      workerPID: 1, replacingLastAnswer: false)
            try await repository.finish(messageID: turn.assistant.id, outcome: MessageOutcome(status: .complete, content: "a-" + question, reasoning: ""))
        }
        return try #require(try await repository.exportConversation(id: c.id))
    }

    @Test(arguments: TempDatabase.engines) func aFutureDatedRecordWithoutMessagesDeletesNothing(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let genuine = try await Self.conversation(repository)
        var attack = genuine
        attack.conversation.title = "pwned"
        attack.conversation.updatedAt = "9999-12-31T23:59:59.999Z"
        attack.messages = []
        attack.conversation.currentLeafID = nil // a record without messages names no leaf
        let line = String(decoding: try ExportEncoding.line(attack), as: UTF8.self)
        do {
            _ = try await Self.importText(Self.header + "\n" + line, into: repository, clock: LogTimestamp.now())
            Issue.record("a record from the year 9999 was accepted")
        } catch let error as ImportError {
            #expect(error.line == 2 && error.message.contains("conversation.updated_at: 9999-12-31T23:59:59.999Z is in the future"), "\(error)")
        }
        #expect(try await repository.exportConversation(id: genuine.conversation.id) == genuine, "nothing changed")

        // The same with a plausible time: the newer title is taken, the messages stay.
        try await Task.sleep(for: .milliseconds(5))
        attack.conversation.updatedAt = Identifiers.now()
        let summary = try await Self.importText(String(decoding: try ExportEncoding.line(attack), as: UTF8.self), into: repository,
                                                clock: LogTimestamp.now())
        #expect(summary.conversationsUpdated == 1 && summary.messagesAdded == 0 && summary.messagesUpdated == 0)
        let after = try #require(try await repository.exportConversation(id: genuine.conversation.id))
        #expect(after.conversation.title == "pwned")
        #expect(after.messages == genuine.messages, "every stored message stays")
        #expect(after.conversation.currentLeafID == genuine.conversation.currentLeafID, "and so does the path shown")

        // The genuine export again: nothing in it is newer, nothing is lost either way.
        let again = try await Self.importText(String(decoding: try ExportEncoding.line(genuine), as: UTF8.self), into: repository,
                                              clock: LogTimestamp.now())
        #expect(again.conversationsUnchanged == 1)
        #expect(try await repository.messages(conversationID: genuine.conversation.id) == genuine.messages)
    }

    static let conversationID = "33333333-2222-4333-8444-555555555555"

    static func record(updated: String = "2026-01-01T00:00:00.000Z", title: String = "t", systemPrompt: String = "",
                       model: String = "m", content: String = "hi", extra: String = "") -> String {
        #"{"conversation":{"id":"\#(conversationID)","title":"\#(title)","model":"\#(model)","system_prompt":"\#(systemPrompt)","created_at":"2026-01-01T00:00:00.000Z","updated_at":"\#(updated)"},"messages":[{"id":"33333333-2222-4333-8444-666666666666","role":"user","content":"\#(content)","status":"complete","created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z"}]\#(extra)}"#
    }

    @Test(arguments: TempDatabase.engines, [
        ("2026-13-45T99:99:99.999Z", "\"2026-13-45T99:99:99.999Z\" is not a real date and time"),
        ("2026-02-29T12:00:00.000Z", "is not a real date and time"),
        ("2026-04-31T12:00:00.000Z", "is not a real date and time"),
        ("2026-01-01T24:00:00.000Z", "is not a real date and time"),
        ("2026-01-01T23:60:00.000Z", "is not a real date and time"),
        ("2026-01-01T23:59:60.000Z", "is not a real date and time"),
        ("2026-01-01T00:00:00.000+05:00", "has a UTC offset: only UTC times ending in Z are accepted"),
        ("2026-01-01T00:00:00.000-00:00", "has a UTC offset"),
        ("2026-01-01T00:00:00Z", "is not a timestamp as the export writes it"),
        ("2026-01-01T00:00:00.5Z", "is not a timestamp as the export writes it"),
        ("2026-01-01t00:00:00.000z", "is not a timestamp as the export writes it"),
        ("2026-01-01 00:00:00.000Z", "is not a timestamp as the export writes it"),
        ("2026-12-01T00:06:00.000Z", "is in the future"),
        ("9999-12-31T23:59:59.999Z", "is in the future"),
    ])
    func timestampsAreTheExportersUTCFormAndNotInTheFuture(_ engine: DatabaseEngine, _ example: (String, String)) async throws {
        let (value, expected) = example
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        do {
            _ = try await Self.importText(Self.header + "\n\n" + Self.record(updated: value) + "\n", into: repository)
            Issue.record("accepted \(value)")
        } catch let error as ImportError {
            #expect(error.kind == .invalid && error.line == 3, "\(error)")
            #expect(error.message.hasPrefix("conversation.updated_at: ") && error.message.contains(expected), "\(error)")
        }
        #expect(try await repository.conversation(id: Self.conversationID) == nil)
    }

    @Test(arguments: TempDatabase.engines) func realDatesAndTimesWithinTheSkewAreAccepted(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        for value in ["2024-02-29T23:59:59.999Z", "2000-02-29T00:00:00.000Z", "2026-12-01T00:04:59.999Z", "2026-12-01T00:05:00.000Z"] {
            let summary = try await Self.importText(Self.record(updated: value), into: repository)
            #expect(summary.conversationsAdded + summary.conversationsUpdated + summary.conversationsUnchanged == 1, "\(value)")
        }
        #expect(try await repository.conversation(id: Self.conversationID)?.updatedAt == "2026-12-01T00:05:00.000Z")
    }

    @Test(arguments: TempDatabase.engines, [
        (record(content: String(repeating: "é", count: 1_001)), "messages[0].content: longer than 1000 characters (limits.message_max_chars)"),
        (record(title: String(repeating: "t", count: 201)), "conversation.title: longer than 200 characters (limits.title_max_chars)"),
        (record(systemPrompt: String(repeating: "s", count: 50_001)), "conversation.system_prompt: longer than 50000 characters"),
        (record(model: String(repeating: "m", count: 201)), "conversation.model: longer than 200 characters"),
        (record(extra: #","unknown":"# + String(repeating: "[", count: 40) + String(repeating: "]", count: 40)),
         "the record is nested more than 32 levels deep (limits.json_max_depth)"),
    ])
    func theAPIsLimitsApplyToEachRecord(_ engine: DatabaseEngine, _ example: (String, String)) async throws {
        let (input, expected) = example
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        do {
            _ = try await Self.importText(Self.header + "\n" + input + "\n", into: repository, limits: ImportLimits(maxMessageCharacters: 1_000))
            Issue.record("accepted: \(expected)")
        } catch let error as ImportError {
            #expect(error.line == 2 && error.message == expected, "\(error)")
        }
        #expect(try await repository.conversation(id: Self.conversationID) == nil)
        // Right at the limit, it goes in.
        let fits = Self.record(systemPrompt: String(repeating: "s", count: 50_000), content: String(repeating: "é", count: 1_000))
        let summary = try await Self.importText(fits, into: repository, limits: ImportLimits(maxMessageCharacters: 1_000))
        #expect(summary.conversationsAdded == 1)
    }

    /// A 60 MiB message, fed 64 KiB at a time as a request body arrives: refused once its text passes what any
    /// field may hold (8 bytes a character of `message_max_chars`), long before the rest is read.
    @Test(arguments: TempDatabase.engines) func aHugeMessageIsRefusedWhileItIsRead(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let importer = ConversationImporter(repository: repository, clock: { Self.now })
        let start = Self.header + "\n" + Self.record(content: "HUGE").components(separatedBy: "HUGE")[0]
        try await importer.feed(Array(start.utf8))
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 10)
        var refusal: ImportError?
        for _ in 0..<(60 << 4) {
            do {
                try await importer.feed(chunk)
            } catch let error as ImportError {
                refusal = error
                break
            }
        }
        let error = try #require(refusal, "60 MiB of one message went in")
        #expect(error.kind == .tooLarge && error.line == 2, "\(error)")
        #expect(error.message.contains("longer than 1600000 bytes") && error.message.contains("limits.message_max_chars"), "\(error)")
        #expect(importer.bytesRead < 1_600_000 + 2 * chunk.count + start.utf8.count, "read no further than the limit")
        #expect(try await repository.conversation(id: Self.conversationID) == nil)
    }

    @Test func theSplitterRefusesALongStringAcrossChunksAndLetsTheLimitThrough() throws {
        let fits = Array(#"{"a":"0123456789","b":"ok"}"#.utf8)
        for chunk in [1, 3, fits.count] {
            var splitter = JSONRecordSplitter(maxRecordBytes: 1_000, maxStringBytes: 10, maxDepth: 2)
            var records = 0
            for start in stride(from: 0, to: fits.count, by: chunk) {
                records += Array(fits[start..<min(fits.count, start + chunk)]).withUnsafeBytes { splitter.append($0) }.count
            }
            #expect(splitter.failure == nil && records == 1, "chunk \(chunk)")
        }
        var long = JSONRecordSplitter(maxRecordBytes: 1_000, maxStringBytes: 10)
        _ = Array("\n{\"a\":\"01234567890\"}".utf8).withUnsafeBytes { long.append($0) }
        #expect(long.failure == .stringTooLong(line: 2, limit: 10))
        var deep = JSONRecordSplitter(maxRecordBytes: 1_000, maxDepth: 2)
        _ = Array(#"{"a":"[[[","b":[[1]]}"#.utf8).withUnsafeBytes { deep.append($0) }
        #expect(deep.failure == .tooDeep(line: 1, limit: 2), "brackets inside strings do not count; the third level does")
    }

    /// A cost or count so large that a month's sum would overflow to infinity (which JSON cannot carry, so listing,
    /// export and usage would fail) is refused with its line.
    @Test(arguments: TempDatabase.engines) func anAbsurdCostOrCountIsRefusedWithItsLine(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let genuine = try await Self.conversation(repository)
        for (field, mutate) in [
            ("cost_usd", { (m: inout Message) in m.costUSD = 1.7e308 }),
            ("completion_tokens", { (m: inout Message) in m.completionTokens = Int.max }),
        ] {
            var record = genuine
            record.conversation.id = UUID().uuidString.lowercased()
            record.messages = record.messages.map { var m = $0; m.conversationID = record.conversation.id; m.id = UUID().uuidString.lowercased(); return m }
            mutate(&record.messages[1])
            let line = String(decoding: try ExportEncoding.line(record), as: UTF8.self)
            do {
                _ = try await Self.importText(Self.header + "\n" + line, into: repository, clock: LogTimestamp.now())
                Issue.record("\(field) was accepted")
            } catch let error as ImportError {
                #expect(error.line == 2 && error.message.contains(field), "\(error)")
            }
        }
        #expect(try await ExportImportFixture.everything(repository).count == 1, "nothing was added")
    }

    /// A text within the character limit can be longer in bytes than the splitter reads (a family emoji is one
    /// character of 25 bytes): the writer of monthly archives asks the same splitter, so what it archives (and may
    /// prune) always imports back.
    @Test(arguments: TempDatabase.engines) func theArchiveWriterAndTheImportAgreeOnWhatTheSplitterTakes(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        var record = try await Self.conversation(repository)
        let limits = ImportLimits()
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}"
        record.messages[1].content = String(repeating: family, count: limits.maxMessageCharacters / 2)
        #expect(limits.refusal(of: record) == nil, "within the character limit")
        let line = try ExportEncoding.line(record)
        #expect(!limits.splitterTakes(line), "\(line.count) bytes in one string")
        #expect(limits.splitterTakes(try ExportEncoding.line(try await Self.conversation(repository))))
        do {
            _ = try await Self.importText(Self.header + "\n" + String(decoding: line, as: UTF8.self), into: repository, clock: LogTimestamp.now())
            Issue.record("the importer took what the splitter check refused")
        } catch let error as ImportError {
            #expect(error.line == 2 && error.message.contains("a text in this record is longer than"), "\(error)")
        }
    }
}
