import NTStorage
import PostgresTestSupport
import Testing

/// What the repositories rely on from a ``DatabaseConnection``, the same on SQLite and PostgreSQL.
struct DatabaseConnectionTests {
    @Test(arguments: TestDatabase.engines)
    func changesCountsTheLastInsertUpdateOrDeleteWhateverRanSince(_ engine: DatabaseEngine) throws {
        let made = try TestDatabase(engine)
        defer { made.remove() }
        let db = try made.connect()
        try db.execute("""
            INSERT INTO auth_sessions (id_hash, password_fingerprint, created_at, last_seen_at) VALUES ('a', 'f', 1, 1);
            INSERT INTO auth_sessions (id_hash, password_fingerprint, created_at, last_seen_at) VALUES ('b', 'f', 1, 1);
            INSERT INTO auth_sessions (id_hash, password_fingerprint, created_at, last_seen_at) VALUES ('c', 'f', 1, 1)
            """)
        #expect(db.changes == 1, "the last statement's")
        let update = try db.prepare("UPDATE auth_sessions SET last_seen_at = 2 WHERE id_hash <> ?")
        update.bind(1, "a")
        _ = try update.step()
        #expect(db.changes == 2)
        #expect(try db.scalarInt("SELECT COUNT(*) FROM auth_sessions") == 3)
        #expect(db.changes == 2, "a SELECT changes nothing")
        try db.execute("DELETE FROM auth_sessions")
        #expect(db.changes == 3, "a statement run by execute counts too")
        try db.transaction { _ = try db.scalarInt("SELECT 1") }
        #expect(db.changes == 3, "BEGIN, the writer's lock and COMMIT change nothing")
    }

    @Test("resetting the cached statements ends the reads they hold open, each time, however often one was handed out")
    func resettingCachedStatementsEndsTheirReads() throws {
        let made = try TestDatabase(.sqlite)
        defer { made.remove() }
        let db = try SQLiteDatabase(path: made.path)
        try db.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2)")
        for round in 1...2 {
            let ascending = try db.cachedStatement("SELECT x FROM t ORDER BY x")
            #expect(try ascending.step())
            _ = try db.cachedStatement("SELECT x FROM t ORDER BY x DESC")
            let descending = try db.cachedStatement("SELECT x FROM t ORDER BY x DESC")
            #expect(try descending.step() && descending.int(0) == 2)
            // SQLite refuses to drop a table that a statement of the same connection is still reading.
            #expect(throws: StorageError.self, "round \(round)") { try db.execute("DROP TABLE t") }
            db.resetCachedStatements()
            try db.execute("CREATE TABLE kept AS SELECT x FROM t; DROP TABLE t; ALTER TABLE kept RENAME TO t")
        }
    }

    @Test(arguments: TestDatabase.engines)
    func aNullOfAKnownTypeMakesIsNullOrEqualWork(_ engine: DatabaseEngine) throws {
        let made = try TestDatabase(engine)
        defer { made.remove() }
        let db = try made.connect()
        let query = try db.prepare("SELECT COUNT(*) FROM users WHERE ?1 IS NULL OR id = ?1")
        for (owner, count) in [(nil, 1), ("owner", 1), ("nobody", 0)] as [(String?, Int)] {
            query.reset()
            query.bind(1, owner)
            #expect(try query.step() && query.int(0) == count, "\(owner ?? "nil")")
        }
    }

    @Test(arguments: TestDatabase.engines)
    func aDatabaseThatRefusesWritesIsUnavailableNotABug(_ engine: DatabaseEngine) throws {
        let made = try TestDatabase(engine)
        defer { made.remove() }
        let db: any DatabaseConnection
        switch engine {
        case .sqlite: db = try SQLiteDatabase(path: made.path, readOnly: true)
        case .postgres:
            db = try made.connect()
            try db.execute("SET default_transaction_read_only = on")
        }
        let error = #expect(throws: StorageError.self) { try db.execute("DELETE FROM users") }
        #expect(error?.fault == .unavailable, "\(String(describing: error))")
    }

    @Test("a statement runs though nothing else holds its PostgreSQL connection any more")
    func aStatementKeepsItsPostgresConnection() throws {
        let made = try TestDatabase(.postgres)
        defer { made.remove() }
        let statement = try made.connect().prepare("SELECT COUNT(*) FROM users")
        #expect(try statement.step() && statement.int(0) == 1)
    }

    @Test("PostgreSQL's SQLSTATEs mean for the person waiting what SQLite's result codes mean")
    func faultsOfSQLStates() {
        let expected: [(String, StorageFault)] = [
            ("53100", .full), ("40001", .busy), ("40P01", .busy), ("55P03", .busy), ("57014", .busy),
            ("25006", .unavailable), ("42501", .unavailable), ("08006", .unavailable), ("57P01", .unavailable),
            ("53300", .unavailable), ("XX001", .unavailable), (StorageError.connectionState, .unavailable),
            ("23505", .failed), ("23514", .failed), ("42601", .failed), ("22P02", .failed),
        ]
        for (state, fault) in expected {
            #expect(StorageError(sqlState: state, message: "m").fault == fault, "\(state)")
        }
    }
}
