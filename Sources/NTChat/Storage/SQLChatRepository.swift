import NTOpenRouter
import NTStorage
import NTSystem

/// ``ChatRepository`` on one database connection, SQLite's or PostgreSQL's, serialised by the actor.
///
/// Its methods block in the database, so they must not run on an event loop: a chat turn, which runs on the
/// client's event loop, calls it through `ChatTurn.offLoop`, on Swift's global pool.
///
/// One connection per web worker is enough: each statement takes microseconds (SQLite) or a loopback round trip
/// (PostgreSQL), and WAL lets the metrics and maintenance workers read meanwhile. A write that finds another
/// writer's lock waits for it between attempts (``writing(_:)``), not inside the database, so reads are served
/// while it waits. Streaming answers flush every few hundred milliseconds, so even hundreds of concurrent streams
/// make only a few thousand small updates per second. The SQL is one text for both engines (``DatabaseConnection``)
/// except where the dialects differ, which asks `db.engine`.
public actor SQLChatRepository: ChatRepository {
    let db: any DatabaseConnection
    /// Where the actor runs: on PostgreSQL a thread of its own, since every call waits a network round trip
    /// (``BlockingExecutor``); on SQLite the cooperative pool (a call takes microseconds of CPU).
    private let blocking: BlockingExecutor?
    private let pool = PoolExecutorHolder()
    /// Writes waiting for the next group commit (``grouped(_:)``).
    var writeGroup = WriteGroup()
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        blocking?.asUnownedSerialExecutor() ?? pool.unownedExecutor
    }

    /// The SQLite database at `path` (migrated by the supervisor or the command before this).
    public init(path: String) throws {
        self.db = try SQLiteDatabase(path: path, busyTimeoutMs: Self.busyTimeoutMs)
        blocking = nil
    }

    /// A repository on a new connection to `location` (migrated before this).
    public init(location: DatabaseLocation, applicationName: String) throws {
        self.db = try location.open(applicationName: applicationName, sqliteBusyTimeoutMs: Self.busyTimeoutMs)
        blocking = db.engine == .postgres ? BlockingExecutor() : nil
    }

    /// A repository on `connection` (migrated before this); for PostgreSQL, a ``PostgresDatabase``.
    public init(connection: any DatabaseConnection) {
        self.db = connection
        blocking = connection.engine == .postgres ? BlockingExecutor() : nil
    }

    static let conversationColumns = """
        c.id, c.title, c.model, c.system_prompt, c.created_at, c.updated_at,
        (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id),
        (SELECT COALESCE(SUM(m.cost_usd), 0) FROM messages m WHERE m.conversation_id = c.id), c.current_leaf_id, c.owner_id
        """

    static func conversation(from row: Statement) -> Conversation {
        Conversation(
            id: row.string(0) ?? "", title: row.string(1) ?? "", model: row.string(2), systemPrompt: row.string(3),
            createdAt: row.string(4) ?? "", updatedAt: row.string(5) ?? "", messageCount: row.int(6), costUSD: row.double(7),
            currentLeafID: row.string(8), ownerID: row.string(9) ?? Conversation.ownerAccountID
        )
    }

    public func createConversation(title: String, model: String?, systemPrompt: String?, ownerID: String) async throws -> Conversation {
        return try await grouped { [self] in
            defer { db.resetCachedStatements() }
            let created = NewConversation(title: title, model: model, systemPrompt: systemPrompt, ownerID: ownerID)
                .conversation(id: Identifiers.uuid(), now: Identifiers.now())
            try insertConversation(created)
            return created
        }
    }

    /// Inserts a new conversation's row.
    func insertConversation(_ c: Conversation) throws {
        let insert = try db.cachedStatement(
            "INSERT INTO conversations (id, title, model, system_prompt, created_at, updated_at, owner_id) VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        insert.bind(1, c.id)
        insert.bind(2, c.title)
        insert.bind(3, c.model)
        insert.bind(4, c.systemPrompt)
        insert.bind(5, c.createdAt)
        insert.bind(6, c.updatedAt)
        insert.bind(7, c.ownerID)
        _ = try insert.step()
    }

    public func conversations(ownerID: String, limit: Int, offset: Int) throws -> ConversationPage {
        defer { db.resetCachedStatements() }
        let query = try db.cachedStatement(
            "SELECT \(Self.conversationColumns) FROM conversations c WHERE c.owner_id = ? ORDER BY c.updated_at DESC, c.id LIMIT ? OFFSET ?"
        )
        query.bind(1, ownerID)
        query.bind(2, limit)
        query.bind(3, offset)
        var items: [Conversation] = []
        while try query.step() { items.append(Self.conversation(from: query)) }
        query.reset()
        let count = try db.cachedStatement("SELECT COUNT(*) FROM conversations WHERE owner_id = ?")
        count.bind(1, ownerID)
        let total = try count.step() ? count.int(0) : 0
        return ConversationPage(conversations: items, total: total, limit: limit, offset: offset)
    }

    public func conversation(id: String) throws -> Conversation? {
        defer { db.resetCachedStatements() }
        let query = try db.cachedStatement("SELECT \(Self.conversationColumns) FROM conversations c WHERE c.id = ?")
        query.bind(1, id)
        return try query.step() ? Self.conversation(from: query) : nil
    }

    public func ownerID(ofConversation id: String) throws -> String? {
        defer { db.resetCachedStatements() }
        let query = try db.cachedStatement("SELECT owner_id FROM conversations WHERE id = ?")
        query.bind(1, id)
        return try query.step() ? query.string(0) : nil
    }

    /// A read, then a write of the merged row: one write transaction, so no other writer's change falls between.
    public func updateConversation(id: String, patch: ConversationPatch) async throws -> Conversation? {
        return try await writing {
            defer { db.resetCachedStatements() }
            return try db.transaction { try storePatch(patch, id: id) }
        }
    }

    private func storePatch(_ patch: ConversationPatch, id: String) throws -> Conversation? {
        guard var current = try conversation(id: id) else { return nil }
        if let title = patch.title { current.title = title }
        if let model = patch.model { current.model = model }
        if let prompt = patch.systemPrompt { current.systemPrompt = prompt }
        let update = try db.cachedStatement("UPDATE conversations SET title = ?, model = ?, system_prompt = ?, updated_at = ? WHERE id = ?")
        update.bind(1, current.title)
        update.bind(2, current.model)
        update.bind(3, current.systemPrompt)
        update.bind(4, Identifiers.now())
        update.bind(5, id)
        _ = try update.step()
        return try conversation(id: id)
    }

    /// A write transaction of one statement: on PostgreSQL it takes the writers' lock, so a deletion never falls
    /// between another writer's check that the conversation exists and its insert (a turn, an import), as on SQLite.
    public func deleteConversation(id: String) async throws -> Bool {
        return try await writing {
            defer { db.resetCachedStatements() }
            return try db.transaction {
                let delete = try db.cachedStatement("DELETE FROM conversations WHERE id = ?")
                delete.bind(1, id)
                _ = try delete.step()
                return db.changes > 0
            }
        }
    }
}
