extension Schema {
    /// The CHECK constraints of `messages` on `role`, `status` and `cost_source` say `x = 'a' OR x = 'b' OR …`
    /// instead of `x IN ('a', 'b', …)`: the same rule, but SQLite evaluates an `IN` list of three or more constants
    /// by building a temporary b-tree of the list, once per statement that checks it. Every stored message paid
    /// for three of them, every finished answer for two, each with its own page cache (an 87 KB allocation): eight
    /// per chat turn, on the writer's path. Comparisons need none.
    ///
    /// SQLite cannot alter a CHECK constraint, so the table's text in `sqlite_schema` is edited in place, as SQLite
    /// documents for changes that leave the stored format as it is (a constraint that accepts exactly the same
    /// rows), and the schema cookie is raised so every connection reads the new text. A database whose text is
    /// not the one migrations 2 and 8 wrote is refused rather than half edited.
    static let checksAsComparisons = """
        PRAGMA writable_schema = ON;
        UPDATE sqlite_schema SET sql = replace(replace(replace(sql,
            'CHECK (role IN (''system'', ''user'', ''assistant''))',
            'CHECK (role = ''system'' OR role = ''user'' OR role = ''assistant'')'),
            'CHECK (status IN (''streaming'', ''complete'', ''stopped'', ''error'', ''interrupted''))',
            'CHECK (status = ''streaming'' OR status = ''complete'' OR status = ''stopped'' OR status = ''error'' OR status = ''interrupted'')'),
            'CHECK (cost_source IN (''reported'', ''reconciled'', ''estimated''))',
            'CHECK (cost_source = ''reported'' OR cost_source = ''reconciled'' OR cost_source = ''estimated'')')
        WHERE type = 'table' AND name = 'messages';
        PRAGMA writable_schema = OFF;
        """

    /// After ``checksAsComparisons``: raises the schema cookie (an edit of `sqlite_schema` does not), so that every
    /// connection, open or not, parses the table again; then proves the edit took.
    static let raiseSchemaCookie: @Sendable (any DatabaseConnection) throws -> Void = { database in
        let edited = try database.scalarInt("""
            SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'messages' AND sql NOT LIKE '% IN (%'
              AND sql LIKE '%CHECK (cost_source = ''reported'' OR cost_source = ''reconciled'' OR cost_source = ''estimated'')%'
            """) ?? 0
        guard edited == 1 else {
            throw StorageError(code: 0, message: "the messages table's CHECK constraints are not the ones migrations 2 and 8 wrote")
        }
        let cookie = try database.scalarInt("PRAGMA schema_version") ?? 0
        try database.execute("PRAGMA schema_version = \(cookie + 1)")
    }
}
