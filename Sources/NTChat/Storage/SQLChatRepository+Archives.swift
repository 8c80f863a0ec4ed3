import FoundationEssentials
import NTStorage

/// Monthly archives (ADR 0011, migration 5).
extension SQLChatRepository: ArchiveStateRepository {
    /// The latest `updated_at` of conversation `c` and its messages, as text (``ArchiveFingerprint/lastActivity``).
    var lastActivitySQL: String {
        let messages = "COALESCE((SELECT MAX(m.updated_at) FROM messages m WHERE m.conversation_id = c.id), '')"
        return db.engine == .sqlite ? "MAX(c.updated_at, \(messages))" : "GREATEST(c.updated_at, \(messages))"
    }
    static let messageCountSQL = "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id)"

    public func archiveCandidates(before: String, after: ArchiveCandidate?, limit: Int) throws -> [ArchiveCandidate] {
        // `c.updated_at < ?1` narrows by the index first; the last activity covers the messages too.
        let query = try db.prepare("""
            SELECT cand.id, cand.last, cand.n FROM (
                SELECT c.id AS id, \(lastActivitySQL) AS last, \(Self.messageCountSQL) AS n
                FROM conversations c
                WHERE c.updated_at < ?1
                  AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.status = 'streaming')
            ) AS cand
            WHERE cand.last < ?1 AND (cand.last > ?2 OR (cand.last = ?2 AND cand.id > ?3))
              AND NOT EXISTS (SELECT 1 FROM archived_conversations a
                              WHERE a.conversation_id = cand.id AND a.last_activity = cand.last AND a.messages = cand.n)
            ORDER BY cand.last, cand.id
            LIMIT ?4
            """)
        query.bind(1, before)
        query.bind(2, after?.fingerprint.lastActivity ?? "")
        query.bind(3, after?.id ?? "")
        query.bind(4, limit)
        var result: [ArchiveCandidate] = []
        while try query.step() {
            result.append(ArchiveCandidate(
                id: query.string(0) ?? "", fingerprint: ArchiveFingerprint(lastActivity: query.string(1) ?? "", messages: query.int(2))
            ))
        }
        return result
    }

    public func exportConversations(ids: [String]) throws -> [ExportedConversation] {
        try readTransaction {
            try ids.compactMap { id in
                guard let conversation = try conversation(id: id) else { return nil }
                return ExportedConversation(conversation: conversation, messages: try messages(conversationID: id))
            }
        }
    }

    public func recordArchived(_ records: [ArchiveRecord]) async throws {
        try await writing {
            try db.transaction {
                let upsert = try db.prepare("""
                    INSERT INTO archived_conversations (conversation_id, last_activity, messages, file, archived_at, pruned_at)
                    VALUES (?, ?, ?, ?, ?, NULL)
                    ON CONFLICT (conversation_id) DO UPDATE SET last_activity = excluded.last_activity,
                      messages = excluded.messages, file = excluded.file, archived_at = excluded.archived_at, pruned_at = NULL
                    """)
                for record in records {
                    upsert.reset()
                    upsert.bind(1, record.conversationID)
                    upsert.bind(2, record.fingerprint.lastActivity)
                    upsert.bind(3, record.fingerprint.messages)
                    upsert.bind(4, record.file)
                    upsert.bind(5, record.archivedAt)
                    _ = try upsert.step()
                }
            }
        }
    }

    /// Records whose conversation is still exactly as archived (joined on the current fingerprint).
    var unchangedSinceArchived: String {
        """
        FROM archived_conversations a JOIN conversations c ON c.id = a.conversation_id
        WHERE a.pruned_at IS NULL AND a.messages = \(Self.messageCountSQL) AND a.last_activity = \(lastActivitySQL)
        """
    }

    public func prunableArchives() throws -> [String: [String]] {
        let query = try db.prepare("SELECT a.file, a.conversation_id \(unchangedSinceArchived) ORDER BY a.file, a.conversation_id")
        var result: [String: [String]] = [:]
        while try query.step() { result[query.string(0) ?? "", default: []].append(query.string(1) ?? "") }
        return result
    }

    public func pruneArchived(ids: [String], at: String) async throws -> [String] {
        return try await writing {
            try db.transaction {
                let unchanged = try db.prepare("SELECT 1 \(unchangedSinceArchived) AND a.conversation_id = ?")
                let delete = try db.prepare("DELETE FROM conversations WHERE id = ?")
                let mark = try db.prepare("UPDATE archived_conversations SET pruned_at = ? WHERE conversation_id = ?")
                var pruned: [String] = []
                for id in ids {
                    unchanged.reset()
                    unchanged.bind(1, id)
                    guard try unchanged.step() else { continue }
                    unchanged.reset()
                    delete.reset()
                    delete.bind(1, id)
                    _ = try delete.step()
                    mark.reset()
                    mark.bind(1, at)
                    mark.bind(2, id)
                    _ = try mark.step()
                    pruned.append(id)
                }
                return pruned
            }
        }
    }

    public func forgetArchives(notIn files: [String]) async throws -> Int {
        return try await writing {
            let json = String(decoding: try JSONEncoder().encode(files), as: UTF8.self)
            let list = db.engine == .sqlite ? "SELECT value FROM json_each(?)" : "SELECT json_array_elements_text(CAST(? AS json))"
            let delete = try db.prepare("DELETE FROM archived_conversations WHERE pruned_at IS NULL AND file NOT IN (\(list))")
            delete.bind(1, json)
            _ = try delete.step()
            return db.changes
        }
    }
}
