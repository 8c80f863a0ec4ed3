import Foundation
import NTChat
import NTStorage

/// Fixtures for the export/import tests.
enum ExportImportFixture {
    /// Conversations holding a message in every status, every optional field set somewhere, awkward text
    /// (quotes, newlines, Unicode, control characters) and an awkward cost (0.1 + 0.2). Returns their ids.
    @discardableResult
    static func populate(_ repository: SQLChatRepository) async throws -> [String] {
        let first = try await repository.createConversation(
            title: "Zebras & \"quotes\" — ünïcödé 🦓", model: "openai/gpt-4o", systemPrompt: "Be brief.\nVery brief."
        , ownerID: "owner")
        let done = try await repository.beginTurn(
            conversationID: first.id, userContent: "What about zebras?\n\u{2}odd\u{3} \\ \"quoted\"", model: "openai/gpt-4o",
            requestID: "req-0001", workerPID: 1, replacingLastAnswer: false
        )
        var complete = MessageOutcome(status: .complete, content: "Zebras are *striped*.\n\n```swift\nlet x = 1\n```", reasoning: "Think.\nThen answer.")
        complete.finishReason = "stop"
        complete.promptTokens = 12
        complete.completionTokens = 345
        complete.reasoningTokens = 40
        complete.cachedTokens = 3
        complete.costUSD = 0.1 + 0.2
        complete.ttftMs = 120
        complete.durationMs = 2_345
        complete.generationID = "gen-123abc"
        try await repository.finish(messageID: done.assistant.id, outcome: complete)

        let stopped = try await repository.beginTurn(conversationID: first.id, userContent: "Go on", model: "anthropic/claude",
                                                     requestID: "req-0002", workerPID: 1, replacingLastAnswer: false)
        var stop = MessageOutcome(status: .stopped, content: "Partial ans", reasoning: "")
        stop.ttftMs = 80
        try await repository.finish(messageID: stopped.assistant.id, outcome: stop)

        let failed = try await repository.beginTurn(conversationID: first.id, userContent: "Again", model: "fake/http-502",
                                                    requestID: "req-0003", workerPID: 1, replacingLastAnswer: false)
        var error = MessageOutcome(status: .error, content: "", reasoning: "")
        error.error = "upstream_502: the model is down"
        error.finishReason = "error"
        try await repository.finish(messageID: failed.assistant.id, outcome: error)

        let second = try await repository.createConversation(title: "Crash and stream", model: nil, systemPrompt: nil, ownerID: "owner")
        let crashed = try await repository.beginTurn(conversationID: second.id, userContent: "long one", model: "m",
                                                     requestID: "req-0004", workerPID: 999_999, replacingLastAnswer: false)
        try await repository.saveProgress(messageID: crashed.assistant.id, content: "half of it", reasoning: "r")
        _ = try await repository.markInterrupted { $0 == getpid() }
        let live = try await repository.beginTurn(conversationID: second.id, userContent: "and now?", model: "m",
                                                  requestID: "req-0005", workerPID: getpid(), replacingLastAnswer: false)
        try await repository.saveProgress(messageID: live.assistant.id, content: "still stream", reasoning: "")

        let empty = try await repository.createConversation(title: "Empty", model: nil, systemPrompt: "", ownerID: "owner")
        return [first.id, second.id, empty.id]
    }

    /// The whole export as bytes.
    static func export(_ repository: SQLChatRepository, exportedAt: String = "2026-11-30T05:00:00.000Z", pageSize: Int = 2) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        try await ConversationExporter(repository: repository, pageSize: pageSize).exportAll(ownerID: nil, exportedAt: exportedAt) { bytes += $0 }
        return bytes
    }

    /// Imports `bytes` fed in chunks of `chunk` bytes.
    static func importBytes(_ bytes: [UInt8], into repository: SQLChatRepository, chunk: Int = 7,
                            limits: ImportLimits = ImportLimits()) async throws -> ImportSummary {
        let importer = ConversationImporter(repository: repository, limits: limits)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunk)
            try await importer.feed(Array(bytes[start..<end]))
            start = end
        }
        return try importer.finish()
    }

    static func importText(_ text: String, into repository: SQLChatRepository) async throws -> ImportSummary {
        try await importBytes(Array(text.utf8), into: repository, chunk: 1 << 16)
    }

    /// Every conversation of a repository with its messages, in id order.
    static func everything(_ repository: SQLChatRepository) async throws -> [ExportedConversation] {
        try await repository.exportPage(ownerID: nil, afterID: nil, limit: 1_000_000)
    }

    /// Sorted-key JSON, for comparisons that print well when they fail.
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Inserts `conversations` × `messages` rows with SQL alone (fast), each message `bytes` long, each conversation
    /// one chain ending at its current leaf. Ids are the row numbers in hex: `%08x-0000-4000-8000-%012x` for
    /// conversations (from 1), `%08x-1111-…` for messages (from 0, in insertion order).
    static func bulkInsert(_ database: TempDatabase, conversations: Int, messages: Int, bytes: Int) throws {
        let db = try database.connection()
        switch database.engine {
        case .sqlite:
            try db.execute("""
                BEGIN;
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(conversations))
                INSERT INTO conversations (id, title, model, system_prompt, created_at, updated_at)
                SELECT printf('%08x-0000-4000-8000-%012x', i, i), 'Bulk ' || i, 'm/bulk', NULL,
                       '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z' FROM n;
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < \(conversations * messages - 1))
                INSERT INTO messages (id, conversation_id, seq, role, content, model, status, cost_usd, prompt_tokens,
                                      completion_tokens, created_at, updated_at, parent_id)
                SELECT printf('%08x-1111-4000-8000-%012x', i, i), printf('%08x-0000-4000-8000-%012x', i / \(messages) + 1, i / \(messages) + 1),
                       i % \(messages) + 1, CASE i % 2 WHEN 0 THEN 'user' ELSE 'assistant' END,
                       substr(printf('%.*c', \(bytes), 'x'), 1, \(bytes)), 'm/bulk', 'complete', 0.0001, 10, 20,
                       '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z',
                       CASE i % \(messages) WHEN 0 THEN NULL ELSE printf('%08x-1111-4000-8000-%012x', i - 1, i - 1) END FROM n;
                UPDATE conversations SET current_leaf_id = (
                    SELECT m.id FROM messages m WHERE m.conversation_id = conversations.id ORDER BY m.seq DESC LIMIT 1);
                COMMIT;
                """)
        case .postgres:
            // The same rows; `hex(i, kind)` is printf's id, inserted in order so `rowid` follows `i`.
            try db.execute("""
                CREATE FUNCTION pg_temp.hex(i bigint, kind text) RETURNS text LANGUAGE sql IMMUTABLE AS
                  $$ SELECT lpad(to_hex(i), 8, '0') || '-' || kind || '-4000-8000-' || lpad(to_hex(i), 12, '0') $$;
                BEGIN;
                INSERT INTO conversations (id, title, model, system_prompt, created_at, updated_at)
                SELECT pg_temp.hex(i, '0000'), 'Bulk ' || i, 'm/bulk', NULL, '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z'
                FROM generate_series(1, \(conversations)) AS n(i);
                INSERT INTO messages (id, conversation_id, seq, role, content, model, status, cost_usd, prompt_tokens,
                                      completion_tokens, created_at, updated_at, parent_id)
                SELECT pg_temp.hex(i, '1111'), pg_temp.hex(i / \(messages) + 1, '0000'), i % \(messages) + 1,
                       CASE i % 2 WHEN 0 THEN 'user' ELSE 'assistant' END, repeat('x', \(bytes)), 'm/bulk', 'complete', 0.0001, 10, 20,
                       '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z',
                       CASE i % \(messages) WHEN 0 THEN NULL ELSE pg_temp.hex(i - 1, '1111') END
                FROM generate_series(0, \(conversations * messages - 1)) AS n(i) ORDER BY i;
                UPDATE conversations SET current_leaf_id = (
                    SELECT m.id FROM messages m WHERE m.conversation_id = conversations.id ORDER BY m.seq DESC LIMIT 1);
                COMMIT;
                """)
        }
    }
}
