import NTStorage

/// Full-text search. SQLite: the FTS5 `messages_fts` index (messages in a final state; see the schema's triggers)
/// and the `conversations_fts` index of titles (migration 9). PostgreSQL: the `search` tsvector columns of
/// `messages` and `conversations` with their GIN indexes (``PostgresSchema``), ranked by `ts_rank`.
extension SQLChatRepository: SearchRepository {
    /// How many of the newest matching messages are ranked. BM25 is computed for every candidate, so a word found
    /// in nearly every message (180,000 of 200,000 in the benchmark) would cost ~170 ms; ranking the newest 10,000
    /// matches costs ~15 ms. Queries with fewer matches are ranked over all of them.
    public static let rankingWindow = 10_000

    /// Content counts twice as much as reasoning in the ranking. The window's lower rowid bound is found by walking
    /// the match list alone (no scoring), which FTS5 does quickly; 0 when there are fewer matches than the window.
    /// Only the asker's messages (`?6`, their conversations' owner) are ranked; the window counts everyone's
    /// matches, so on a shared appliance it reaches back less far for each person.
    static let searchSQL = """
        SELECT h.snip, h.score, m.id, m.conversation_id, c.title, m.role, m.created_at
        FROM (
            SELECT messages_fts.rowid AS rid, messages_fts.rank AS score, snippet(messages_fts, -1, ?1, ?2, '…', 24) AS snip
            FROM messages_fts
            JOIN messages o ON o.rowid = messages_fts.rowid
            JOIN conversations oc ON oc.id = o.conversation_id AND oc.owner_id = ?6
            WHERE messages_fts MATCH ?3 AND messages_fts.rank MATCH 'bm25(2.0, 1.0)'
              AND messages_fts.rowid >= COALESCE(
                (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?3 ORDER BY rowid DESC LIMIT 1 OFFSET ?5), 0)
            ORDER BY messages_fts.rank LIMIT ?4
        ) h
        JOIN messages m ON m.rowid = h.rid
        JOIN conversations c ON c.id = m.conversation_id
        ORDER BY h.score, m.rowid
        """

    /// The same search on PostgreSQL, with the same parameters: `ts_rank` with content weighing twice reasoning
    /// (weights A and B), the snippet from whichever of the two matched.
    static let postgresSearchSQL = """
        WITH q AS (SELECT to_tsquery('simple', ?3) AS query),
        hits AS (
            SELECT m.rowid, m.id, m.conversation_id, m.role, m.created_at, m.content, m.reasoning, m.search, q.query,
                   -ts_rank('{0, 0, 0.5, 1}', m.search, q.query) AS score
            FROM q, messages m JOIN conversations c ON c.id = m.conversation_id AND c.owner_id = ?6
            WHERE m.search @@ q.query
              AND m.rowid >= COALESCE(
                (SELECT w.rowid FROM messages w WHERE w.search @@ q.query ORDER BY w.rowid DESC LIMIT 1 OFFSET ?5), 0)
            ORDER BY score, m.rowid LIMIT ?4
        )
        SELECT ts_headline('simple', CASE WHEN ts_filter(h.search, '{a}') @@ h.query THEN h.content ELSE h.reasoning END, h.query,
                 'MaxFragments=1, MaxWords=24, MinWords=8, StartSel="' || ?1 || '", StopSel="' || ?2 || '"'),
               h.score, h.id, h.conversation_id, c.title, h.role, h.created_at
        FROM hits h JOIN conversations c ON c.id = h.conversation_id
        ORDER BY h.score, h.rowid
        """

    public func search(_ query: SearchQuery, ownerID: String, limit: Int) throws -> [SearchHit] {
        try hits(db.engine == .sqlite ? Self.searchSQL : Self.postgresSearchSQL, query, limit: limit) { statement, _ in
            statement.bind(5, Self.rankingWindow - 1)
            statement.bind(6, ownerID)
        } row: { statement, markers in
            SearchHit(
                messageID: statement.string(2) ?? "", conversationID: statement.string(3) ?? "",
                conversationTitle: statement.string(4) ?? "", role: MessageRole(rawValue: statement.string(5) ?? "") ?? .user,
                createdAt: statement.string(6) ?? "", rank: -statement.double(1),
                snippet: markers.parts(of: statement.string(0) ?? "")
            )
        }
    }

    /// Titles are short and conversations few next to messages: every match is ranked.
    static let titleSearchSQL = """
        SELECT highlight(conversations_fts, 0, ?1, ?2), bm25(conversations_fts) AS score, c.id, c.title, c.updated_at
        FROM conversations_fts
        JOIN conversations c ON c.rowid = conversations_fts.rowid
        WHERE conversations_fts MATCH ?3 AND c.owner_id = ?5
        ORDER BY score, c.updated_at DESC, c.id
        LIMIT ?4
        """

    static let postgresTitleSearchSQL = """
        SELECT ts_headline('simple', c.title, q.query, 'HighlightAll=true, StartSel="' || ?1 || '", StopSel="' || ?2 || '"'),
               -ts_rank(c.search, q.query) AS score, c.id, c.title, c.updated_at
        FROM conversations c, to_tsquery('simple', ?3) AS q(query)
        WHERE c.search @@ q.query AND c.owner_id = ?5
        ORDER BY score, c.updated_at DESC, c.id
        LIMIT ?4
        """

    public func searchTitles(_ query: SearchQuery, ownerID: String, limit: Int) throws -> [TitleHit] {
        try hits(db.engine == .sqlite ? Self.titleSearchSQL : Self.postgresTitleSearchSQL, query, limit: limit) { statement, _ in
            statement.bind(5, ownerID)
        } row: { statement, markers in
            TitleHit(
                conversationID: statement.string(2) ?? "", title: statement.string(3) ?? "",
                updatedAt: statement.string(4) ?? "", rank: -statement.double(1),
                snippet: markers.parts(of: statement.string(0) ?? "")
            )
        }
    }

    /// Runs a search statement whose parameters 1–4 are the highlight markers, the match expression and the limit
    /// (`bind` adds any others), one hit per row.
    private func hits<Hit>(_ sql: String, _ query: SearchQuery, limit: Int,
                           bind: (Statement, SnippetMarkers) -> Void = { _, _ in },
                           row: (Statement, SnippetMarkers) -> Hit) throws -> [Hit] {
        let markers = SnippetMarkers()
        let statement = try db.prepare(sql)
        statement.bind(1, markers.open)
        statement.bind(2, markers.close)
        statement.bind(3, db.engine == .sqlite ? query.matchExpression : query.tsQueryExpression)
        statement.bind(4, limit)
        bind(statement, markers)
        var hits: [Hit] = []
        while try statement.step() { hits.append(row(statement, markers)) }
        return hits
    }
}
