import NTStorage

/// The tables ``DatabaseCopy`` moves between SQLite and PostgreSQL, with their columns as both schemas have them
/// at their newest versions (SQLite's 12, PostgreSQL's 7), in an order where every row's references exist before
/// it: accounts before their sessions, conversations before their messages, messages before the spend of deleted
/// ones (whose triggers would otherwise take a re-inserted answer's cost out again).
///
/// `spend_by_day` and `spend_by_user_day` are not copied: the target's triggers total them from the messages and
/// `removed_spend` as the rows arrive, and the verification compares them. `schema_migrations` is each engine's own.
/// Before a copy both databases' catalogues are compared with these lists (``unknownColumns(_:)``), so a column a
/// later migration adds is refused until it is listed here, never dropped on the way.
enum CopiedTables {
    /// How a column is read, bound and hashed.
    enum Kind { case text, integer, real }

    struct Column {
        let name: String
        let kind: Kind
    }

    struct Table {
        let name: String
        let columns: [Column]
        /// A unique order both engines sort the same way (text byte by byte): the primary key, or, for messages,
        /// the conversation and its order (a parent precedes its children), or every column where there is no key.
        let order: [String]
        /// An identity column PostgreSQL generates (`messages.rowid`, SQLite's implicit rowid): copied as it is, so
        /// search's "newest first" ranks the same, and PostgreSQL's sequence moved past the largest.
        var identity: String? = nil

        func kind(of column: String) -> Kind { columns.first { $0.name == column }?.kind ?? .text }
    }

    private static func columns(_ text: String, _ kind: Kind) -> [Column] {
        text.split(separator: " ").map { Column(name: String($0), kind: kind) }
    }

    private static func table(_ name: String, _ columns: [Column], order: [String]? = nil, identity: String? = nil) -> Table {
        Table(name: name, columns: columns, order: order ?? columns.map(\.name), identity: identity)
    }

    /// The copied tables, in insertion order (the target is cleared in the reverse order).
    static let copied: [Table] = [
        table("app_meta", columns("key value", .text), order: ["key"]),
        table("users", columns("id name role password_hash disabled_at", .text)
            + columns("daily_budget_usd monthly_budget_usd", .real) + columns("created_at updated_at", .text), order: ["id"]),
        table("auth_sessions", columns("id_hash password_fingerprint", .text) + columns("created_at last_seen_at", .real)
            + columns("client_ip user_agent user_id", .text), order: ["id_hash"]),
        table("api_tokens", columns("id name secret_hash", .text)
            + columns("created_at expires_at last_used_at revoked_at", .real) + columns("user_id", .text), order: ["id"]),
        table("models", columns("id name", .text) + columns("context_length", .integer)
            + columns("prompt_price completion_price request_price reasoning_price cache_read_price", .real)
            + columns("max_completion_tokens", .integer) + columns("fetched_at", .text), order: ["id"]),
        table("conversations", columns("id title model system_prompt created_at updated_at current_leaf_id owner_id", .text), order: ["id"]),
        table("messages", columns("rowid", .integer) + columns("id conversation_id", .text) + columns("seq", .integer)
            + columns("role content reasoning model status finish_reason", .text)
            + columns("prompt_tokens completion_tokens reasoning_tokens cached_tokens", .integer) + columns("cost_usd", .real)
            + columns("ttft_ms duration_ms", .integer) + columns("generation_id request_id error", .text)
            + columns("worker_pid", .integer) + columns("created_at updated_at cost_source parent_id", .text),
            order: ["conversation_id", "seq"], identity: "rowid"),
        table("removed_spend", columns("message_id conversation_id model", .text) + columns("cost_usd", .real)
            + columns("created_at removed_at cost_source owner_id", .text)),
        table("archived_conversations", columns("conversation_id last_activity", .text) + columns("messages", .integer)
            + columns("file archived_at pruned_at", .text), order: ["conversation_id"]),
    ]

    /// The running totals the target's triggers rebuild: their keys, then their amounts and answer counts.
    static let totals: [Table] = [
        table("spend_by_day", columns("day model", .text) + columns("cost_usd estimated_usd", .real) + columns("answers", .integer),
              order: ["day", "model"]),
        table("spend_by_user_day", columns("user_id day", .text) + columns("cost_usd estimated_usd", .real)
            + columns("answers", .integer), order: ["user_id", "day"]),
    ]

    /// What differs between the database's tables and columns and these lists, as sentences (empty when nothing
    /// does). Left out: SQLite's own tables and full-text shadow tables, PostgreSQL's generated search vectors,
    /// SQLite's implicit rowid, and `schema_migrations`.
    /// PostgreSQL's state of the instances running on it (ADR 0021): who streams which answer, the budget
    /// reservations of answers in flight and the shared login throttle. Meaningless anywhere else, so never copied; a copied `streaming` answer
    /// has no runner, and the first sweep marks it `interrupted`.
    static let runtimeTables: Set<String> = ["runners", "budget_reservations", "login_throttle"]
    static let runtimeColumns: [String: Set<String>] = ["messages": ["runner_id", "stop_requested_at"]]

    static func unknownColumns(_ database: any DatabaseConnection) throws -> [String] {
        let sqlite = database.engine == .sqlite
        let tableSQL = sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                + "AND name NOT LIKE 'messages\\_fts%' ESCAPE '\\' AND name NOT LIKE 'conversations\\_fts%' ESCAPE '\\'"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        let columnSQL = sqlite
            ? "SELECT name FROM pragma_table_info(?1)"
            : "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?1"
        let known = copied + totals
        var problems: [String] = []
        let present = Set(try strings(database, tableSQL, nil)).subtracting(["schema_migrations"]).subtracting(runtimeTables)
        let unknown = present.subtracting(known.map(\.name)).sorted()
        if !unknown.isEmpty { problems.append("tables this binary does not copy: \(unknown.joined(separator: ", "))") }
        for table in known where present.contains(table.name) {
            let found = Set(try strings(database, columnSQL, table.name)).subtracting(sqlite ? [] : ["search"])
                .subtracting(runtimeColumns[table.name] ?? [])
            let expected = Set(table.columns.map(\.name)).subtracting(sqlite && table.identity != nil ? [table.identity!] : [])
            if found != expected {
                let extra = found.subtracting(expected).sorted(), missing = expected.subtracting(found).sorted()
                problems.append("\(table.name) has columns this binary does not copy (\(extra.joined(separator: ", "))) "
                    + "or lacks some it expects (\(missing.joined(separator: ", ")))")
            }
        }
        let absent = known.map(\.name).filter { !present.contains($0) }
        if !absent.isEmpty { problems.append("tables missing: \(absent.joined(separator: ", "))") }
        return problems
    }

    private static func strings(_ database: any DatabaseConnection, _ sql: String, _ argument: String?) throws -> [String] {
        let statement = try database.prepare(sql)
        if let argument { statement.bind(1, argument) }
        var values: [String] = []
        while try statement.step() { values.append(statement.string(0) ?? "") }
        return values
    }
}
