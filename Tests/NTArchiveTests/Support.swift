import Foundation
import NTArchive
import NTChat
import NTFiles
import NTStorage
import NTSystem
import PostgresTestSupport

/// A migrated database (SQLite's unless asked for PostgreSQL's) and an archive folder in a temporary folder, removed
/// by `remove()`.
struct ArchiveScratch {
    let database: TestDatabase
    let repository: SQLChatRepository
    var path: String { database.directory }
    var archiveDir: String { path + "/archives" }

    init(_ engine: DatabaseEngine = .sqlite) throws {
        database = try TestDatabase(engine)
        repository = switch engine {
        case .sqlite: try SQLChatRepository(path: database.path)
        case .postgres: SQLChatRepository(connection: try database.connect())
        }
    }

    func remove() { database.remove() }

    /// A runner on this scratch's database at a fixed "now" (2026-11-30 12:00 UTC unless given).
    func runner(afterDays: Int = 90, prune: Bool = false, now: UTCTime = Fixture.now, batchSize: Int = 500,
                recordLimits: ImportLimits = ImportLimits()) -> ArchiveRunner {
        var settings = ArchiveSettings(directory: archiveDir, afterDays: afterDays, prune: prune)
        settings.batchSize = batchSize
        settings.recordLimits = recordLimits
        var runner = ArchiveRunner(repository: repository, settings: settings)
        runner.now = { now }
        return runner
    }

    /// Month files in the archive folder.
    func files() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: archiveDir)) ?? []).filter { $0.hasSuffix(".jsonl.zst") && !$0.hasPrefix(".") }.sorted()
    }

    func bytes(of file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: archiveDir + "/" + file)))
    }

    /// Conversation ids in the database.
    func ids() async throws -> [String] {
        try await repository.exportPage(ownerID: nil, afterID: nil, limit: 1_000_000).map(\.conversation.id)
    }

    /// Everything in the database as sorted-key JSON lines, for exact comparisons.
    func snapshot() async throws -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try await repository.exportPage(ownerID: nil, afterID: nil, limit: 1_000_000).map { String(decoding: try encoder.encode($0), as: UTF8.self) }
    }
}

/// Synthetic conversations with chosen timestamps, stored through the importer (the only public way to set them).
enum Fixture {
    static let now = UTCTime(year: 2026, month: 11, day: 30, hour: 12)

    /// A valid id from a number.
    static func id(_ n: Int, kind: String = "0000") -> String {
        let digits = String(n)
        return "00000000-\(kind)-4000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits
    }

    /// One export line: conversation `n` updated at `updated`, with `messages` answers (each a user and an assistant
    /// message) created and updated at `messageTime` (default `updated`), each answer costing `cost`.
    static func line(_ n: Int, updated: String, messageTime: String? = nil, answers: Int = 1, cost: Double = 0.25) -> String {
        let at = messageTime ?? updated
        var messages: [String] = []
        for a in 0..<answers {
            for role in ["user", "assistant"] {
                let m = id(n * 100 + a * 2 + (role == "user" ? 0 : 1), kind: "1111")
                let priced = role == "assistant" ? "\(cost)" : "null"
                messages.append("""
                    {"id":"\(m)","conversation_id":"\(id(n))","role":"\(role)","content":"\(role) text \(n)/\(a) ✓","status":"complete",\
                    "model":"m/test","cost_usd":\(priced),"prompt_tokens":10,"completion_tokens":20,"created_at":"\(at)","updated_at":"\(at)"}
                    """)
            }
        }
        return """
            {"conversation":{"id":"\(id(n))","title":"Conversation \(n)","model":"m/test","system_prompt":null,\
            "created_at":"\(updated)","updated_at":"\(updated)"},"messages":[\(messages.joined(separator: ","))]}
            """
    }

    /// Imports lines (plain or zstd bytes) into a repository.
    @discardableResult
    static func load(_ bytes: [UInt8], into repository: SQLChatRepository) async throws -> ImportSummary {
        let importer = ConversationImporter(repository: repository)
        let decoder = MaybeZstdDecoder()
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + 4096)
            try decoder.feed(Array(bytes[start..<end]))
            while let piece = try decoder.next() { try await importer.feed(piece) }
            start = end
        }
        try await importer.feed(try decoder.finish())
        return try importer.finish()
    }

    /// Gives conversation `n` (and its messages) the timestamp `at` with SQL, as a database written before
    /// imports were strict may hold it (`+02:00` offsets); an import refuses those now.
    static func backdate(_ n: Int, to at: String, in scratch: ArchiveScratch) throws {
        let db = try scratch.database.connect()
        try db.execute("UPDATE conversations SET created_at = '\(at)', updated_at = '\(at)' WHERE id = '\(id(n))'")
        try db.execute("UPDATE messages SET created_at = '\(at)', updated_at = '\(at)' WHERE conversation_id = '\(id(n))'")
    }

    @discardableResult
    static func load(_ lines: [String], into repository: SQLChatRepository) async throws -> ImportSummary {
        try await load(Array((lines.joined(separator: "\n") + "\n").utf8), into: repository)
    }

    /// Decompresses an archive file and returns its lines' conversation ids (headers left out).
    static func conversationIDs(in bytes: [UInt8]) throws -> [String] {
        let decoder = try ZstdDecoder()
        decoder.feed(bytes)
        var text: [UInt8] = []
        while let piece = try decoder.next() { text += piece }
        text += try decoder.finish()
        return try String(decoding: text, as: UTF8.self).split(separator: "\n").compactMap { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return (object?["conversation"] as? [String: Any])?["id"] as? String
        }
    }
}
