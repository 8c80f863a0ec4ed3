import Foundation
import NTPostgres
import PostgresTestSupport
import Testing

/// The appliance on PostgreSQL (`storage.url`): the same binary, the same API, its rows in a real PostgreSQL 15.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct PostgresApplianceTests {
    static func start(_ fake: FakeUpstream, url: String, extra: String = "") async throws -> Appliance {
        let app = try Appliance(
            extraConfig: ChatTests.upstreamConfig(fake, extra: "storage.url = \"\(url)\"\n" + extra),
            environment: ["OPENROUTER_API_KEY": ChatTests.key, PostgresURL.passwordVariable: TestPostgres.password]
        )
        try await app.waitUntilReady()
        return app
    }

    @Test("a chat turn, search, export and the accounts commands work with every row in PostgreSQL and no SQLite file")
    func chatOnPostgres() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let database = try TestPostgres.freshDatabase(prefix: "app")
        let app = try await Self.start(fake, url: database.url)
        defer { Task { await app.stop() } }

        let ready = try app.metrics("/ready")
        #expect(ready.status == 200 && ready.body.contains(#""database":"ok""#), "\(ready.body)")
        let answer = try await ChatTests.chat(app, "Tell me about pelicans")
        #expect(answer.status == 200)
        let meta = try #require(answer.json("meta").first)
        let conversation = try #require(meta["conversation_id"] as? String)
        let stored = try await ChatTests.storedMessages(app, conversation)
        #expect(stored.map { $0["role"] as? String } == ["user", "assistant"])
        #expect(stored.last?["status"] as? String == "complete")
        let cost = try #require(stored.last?["cost_usd"] as? Double)
        #expect(cost > 0)

        let sql = try TestPostgres.connect(database.url)
        #expect(try sql.query("SELECT count(*) FROM messages WHERE conversation_id = $1", [.text(conversation)]).int(row: 0, column: 0) == 2)
        let day = try sql.query("SELECT SUM(cost_usd) FROM spend_by_day")
        #expect(abs(day.double(row: 0, column: 0) - cost) < 1e-12, "the running totals hold the answer's cost")
        #expect(!FileManager.default.fileExists(atPath: app.directory.path + "/data/neural-terminal.db"), "no SQLite database beside it")

        let search = try await RawHTTP.send("GET", port: app.webPort, path: "/api/search?q=pelic")
        #expect(search.status == 200)
        let hits = search.object?["results"] as? [[String: Any]] ?? []
        #expect(hits.contains { $0["conversation_id"] as? String == conversation }, "\(search.body)")
        let export = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations/\(conversation)/export?format=json")
        #expect(export.status == 200 && export.body.contains("pelicans"))

        let environment = [PostgresURL.passwordVariable: TestPostgres.password]
        let added = try await app.cli(["user", "add", "bob", "--stdin"], environment: environment, stdin: "bob-password-123456\n")
        #expect(added.code == 0, "\(added.stderr)")
        let list = try await app.cli(["user", "list"], environment: environment)
        #expect(list.code == 0 && list.stdout.contains("bob"), "\(list.stdout)\(list.stderr)")
        #expect(try sql.query("SELECT count(*) FROM users WHERE name = 'bob'").int(row: 0, column: 0) == 1)
        let backup = try await app.cli(["backup"], environment: environment)
        #expect(backup.code != 0 && backup.stderr.contains("PostgreSQL"), "backups of PostgreSQL are its own: \(backup.stderr)")
    }

    @Test("PostgreSQL stopped under the appliance: /health stays up, /ready says unreachable, requests fail clearly, and it recovers without a restart")
    func databaseOutage() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let database = try TestPostgres.freshDatabase(prefix: "outage")
        let app = try await Self.start(fake, url: database.url)
        defer { Task { await app.stop() } }
        #expect(try await ChatTests.chat(app, "before the outage").status == 200)

        try TestPostgres.stop()
        var restarted = false
        defer { if !restarted { try? TestPostgres.start() } }
        #expect(try app.metrics("/health").status == 200)
        try await eventually(timeout: 20, "/ready saying the database is unreachable") {
            let ready = try app.metrics("/ready")
            return ready.status == 503 && ready.body.contains(#""database":"unreachable""#)
        }
        let refused = try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: #"{"title":"during"}"#)
        #expect(refused.status == 503, "\(refused.body)")
        #expect(refused.object.flatMap { ($0["error"] as? [String: Any])?["code"] as? String } == "storage_unavailable", "\(refused.body)")

        try TestPostgres.start()
        restarted = true
        try await app.waitUntilReady(timeout: 30)
        try await eventually(timeout: 20, "a chat turn after PostgreSQL came back") {
            try await ChatTests.chat(app, "after the outage").status == 200
        }
        let sql = try TestPostgres.connect(database.url)
        #expect(try sql.query("SELECT count(*) FROM messages WHERE role = 'user'").int(row: 0, column: 0) >= 2)
    }
}
