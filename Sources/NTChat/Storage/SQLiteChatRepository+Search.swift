import NTStorage

/// Full-text search on the `messages_fts` index (messages in a final state; see the schema's triggers).
extension SQLiteChatRepository: SearchRepository {
    /// Content counts twice as much as reasoning in the ranking.
    static let searchSQL = """
        SELECT h.snip, h.score, m.id, m.conversation_id, c.title, m.role, m.created_at
        FROM (
            SELECT rowid AS rid, rank AS score, snippet(messages_fts, -1, ?1, ?2, '…', 24) AS snip
            FROM messages_fts
            WHERE messages_fts MATCH ?3 AND rank MATCH 'bm25(2.0, 1.0)'
            ORDER BY rank LIMIT ?4
        ) h
        JOIN messages m ON m.rowid = h.rid
        JOIN conversations c ON c.id = m.conversation_id
        ORDER BY h.score, m.rowid
        """

    public func search(_ query: SearchQuery, limit: Int) throws -> [SearchHit] {
        let markers = SnippetMarkers()
        let statement = try db.prepare(Self.searchSQL)
        statement.bind(1, markers.open)
        statement.bind(2, markers.close)
        statement.bind(3, query.matchExpression)
        statement.bind(4, limit)
        var hits: [SearchHit] = []
        while try statement.step() {
            hits.append(SearchHit(
                messageID: statement.string(2) ?? "", conversationID: statement.string(3) ?? "",
                conversationTitle: statement.string(4) ?? "", role: MessageRole(rawValue: statement.string(5) ?? "") ?? .user,
                createdAt: statement.string(6) ?? "", rank: -statement.double(1),
                snippet: markers.parts(of: statement.string(0) ?? "")
            ))
        }
        return hits
    }
}
