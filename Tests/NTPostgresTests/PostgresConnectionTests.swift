import NTPostgres
import PostgresTestSupport
import Testing

@Suite("A libpq connection to a real PostgreSQL 15")
struct PostgresConnectionTests {
    @Test("parameters arrive typed by their Swift value and rows read back as Int, Double, String and NULL")
    func typedRoundTrip() throws {
        let db = try TestPostgres.freshDatabase()
        let conn = try TestPostgres.connect(db.url)
        #expect(conn.serverVersion / 10000 == 15)
        #expect(PostgresConnection.libraryVersion / 10000 == 15)
        let result = try conn.query(
            "SELECT $1 + 1, $2 * 2, $3 || '!', $4 IS NULL, $5, 9223372036854775807::bigint, 0.1::float8 + 0.2::float8, $6 IS NULL",
            [.int(41), .double(1.25), .text("héllo 'quoted' \"x\""), .text(nil), .text(""), .int(nil)]
        )
        #expect(result.rowCount == 1 && result.columnCount == 8)
        #expect(result.int(row: 0, column: 7) == 1, "a typed NULL alone in `$n IS NULL` needs no cast")
        #expect(result.int(row: 0, column: 0) == 42)
        #expect(result.double(row: 0, column: 1) == 2.5)
        #expect(result.string(row: 0, column: 2) == "héllo 'quoted' \"x\"!")
        #expect(result.int(row: 0, column: 3) == 1)
        #expect(result.string(row: 0, column: 4) == "" && !result.isNull(row: 0, column: 4))
        #expect(result.int(row: 0, column: 5) == Int.max)
        #expect(result.double(row: 0, column: 6) == 0.1 + 0.2)
        let nulls = try conn.query("SELECT NULL::text, NULL::bigint")
        #expect(nulls.isNull(row: 0, column: 0) && nulls.string(row: 0, column: 0) == nil && nulls.int(row: 0, column: 1) == 0)
    }

    @Test("a double survives the trip exactly, and SUM of bigints (numeric) reads as Int")
    func numbers() throws {
        let conn = try TestPostgres.connect(try TestPostgres.freshDatabase().url)
        try conn.execute("CREATE TABLE t (n bigint, x double precision)")
        for (n, x) in [(1, 0.000123456789012345), (2, 1e-12), (3, 123456.789)] {
            _ = try conn.query("INSERT INTO t VALUES ($1, $2)", [.int(n), .double(x)])
        }
        let sums = try conn.query("SELECT SUM(n), SUM(x) FROM t")
        #expect(sums.int(row: 0, column: 0) == 6)
        #expect(sums.double(row: 0, column: 1) == 0.000123456789012345 + 1e-12 + 123456.789)
        let exact = try conn.query("SELECT x FROM t WHERE n = 1")
        #expect(exact.double(row: 0, column: 0) == 0.000123456789012345)
        let update = try conn.query("UPDATE t SET x = 0 WHERE n >= $1", [.int(2)])
        #expect(update.affectedRows == 2)
    }

    @Test("a server error carries its SQLSTATE and message; the connection stays usable")
    func errors() throws {
        let conn = try TestPostgres.connect(try TestPostgres.freshDatabase().url)
        try conn.execute("CREATE TABLE u (id text PRIMARY KEY)")
        _ = try conn.query("INSERT INTO u VALUES ($1)", [.text("a")])
        let duplicate = #expect(throws: PostgresError.self) { _ = try conn.query("INSERT INTO u VALUES ($1)", [.text("a")]) }
        #expect(duplicate?.sqlState == "23505" && duplicate?.connectionLost == false)
        #expect(duplicate?.message.contains("duplicate key") == true)
        let syntax = #expect(throws: PostgresError.self) { try conn.execute("SELEKT 1") }
        #expect(syntax?.sqlState == "42601")
        #expect(try conn.query("SELECT count(*) FROM u").int(row: 0, column: 0) == 1)
    }

    @Test("a wrong password and an unreachable server fail with libpq's reason, marked as no connection")
    func refusedLogins() throws {
        let cluster = try TestPostgres.cluster()
        let wrong = #expect(throws: PostgresError.self) {
            _ = try PostgresConnection(parameters: [("dbname", cluster.url(database: "postgres")), ("password", "nope")])
        }
        #expect(wrong?.connectionLost == true && wrong?.message.contains("password authentication failed") == true)
        let closed = #expect(throws: PostgresError.self) {
            _ = try PostgresConnection(parameters: [("dbname", "postgres://x@127.0.0.1:1/db"), ("connect_timeout", "2")])
        }
        #expect(closed?.message.contains("refused") == true)
    }

    @Test("NOTIFY from one session reaches another that LISTENs, with its payload")
    func notifications() throws {
        let db = try TestPostgres.freshDatabase()
        let listener = try TestPostgres.connect(db.url)
        let sender = try TestPostgres.connect(db.url)
        try listener.listen("turn stop")
        #expect(try listener.notifications(timeoutMs: 0).isEmpty)
        try sender.notify("turn stop", payload: "message-1")
        try sender.notify("other", payload: "ignored")
        var received: [PostgresNotification] = []
        for _ in 0..<50 where received.isEmpty { received = try listener.notifications(timeoutMs: 100) }
        #expect(received.map(\.channel) == ["turn stop"] && received.map(\.payload) == ["message-1"])
    }
}
