import Foundation
import NTPostgres
import NTStorage
import PostgresTestSupport
import Testing

/// `neural-terminal migrate`: an appliance's SQLite database moved to PostgreSQL, served from there, copied again,
/// checked after a change, and moved back to a SQLite file, by the real binary.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct MigrateTests {
    static let environment = [PostgresURL.passwordVariable: TestPostgres.password]

    /// Stops the appliance's processes but keeps its folder (its config and database), unlike `stop()`.
    static func halt(_ app: Appliance) async {
        app.signal(SIGTERM)
        #expect(await app.waitForExit(timeout: 15) != nil, "the appliance stopped")
    }

    @Test("SQLite to PostgreSQL and back: every table verified, the appliance serves the copy, a re-run copies the same, a changed row is reported")
    func sqliteToPostgresAndBack() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let sqliteApp = try await ChatTests.start(fake)
        defer { Task { await sqliteApp.stop() } }
        let first = try await ChatTests.chat(sqliteApp, "Tell me about pelicans")
        let conversation = try #require(first.json("meta").first?["conversation_id"] as? String)
        #expect(try await ChatTests.chat(sqliteApp, "And their beaks?", conversation: conversation).status == 200)
        let other = try await ChatTests.chat(sqliteApp, "A second conversation about herons")
        let otherID = try #require(other.json("meta").first?["conversation_id"] as? String)
        let answer = try #require(try await ChatTests.storedMessages(sqliteApp, otherID).last?["id"] as? String)
        let deleted = try await RawHTTP.send("DELETE", port: sqliteApp.webPort, path: "/api/conversations/\(otherID)/messages/\(answer)")
        #expect(deleted.status == 204, "a deleted answer's spend stays in removed_spend: \(deleted.body)")
        #expect(try await sqliteApp.cli(["user", "add", "bob", "--stdin"], stdin: "bob-password-123456\n").code == 0)
        let spent = try #require(try await GuardProbe.usage(sqliteApp)["today"] as? [String: Any])["spend_usd"] as? Double
        let stored = try await ChatTests.storedMessages(sqliteApp, conversation)
        await Self.halt(sqliteApp)

        let database = try TestPostgres.freshDatabase(prefix: "migrate")
        let copied = try await sqliteApp.cli(["migrate", "--to", database.url], environment: Self.environment)
        #expect(copied.code == 0, "\(copied.stdout)\(copied.stderr)")
        #expect(copied.stderr.contains("consistent snapshot") && copied.stderr.contains("stop the appliance"), "\(copied.stderr)")
        for table in ["app_meta", "users", "auth_sessions", "api_tokens", "models", "conversations", "messages", "removed_spend",
                      "archived_conversations", "spend_by_day", "spend_by_user_day"] {
            #expect(copied.stdout.contains("\n\(table): ") || copied.stdout.hasPrefix("\(table): "), "no line for \(table): \(copied.stdout)")
        }
        #expect(copied.stdout.contains("messages: 5 rows, sha256 "), "two turns and a question whose answer was deleted: \(copied.stdout)")
        #expect(copied.stdout.contains("removed_spend: 1 rows") && !copied.stdout.contains("MISMATCH"), "\(copied.stdout)")

        let postgresApp = try await PostgresApplianceTests.start(fake, url: database.url)
        defer { Task { await postgresApp.stop() } }
        #expect(try await postgresApp.conversationCount() == 2)
        let served = try await ChatTests.storedMessages(postgresApp, conversation)
        #expect(served.map { $0["content"] as? String } == stored.map { $0["content"] as? String } && served.count == 4)
        let servedSpend = try #require(try await GuardProbe.usage(postgresApp)["today"] as? [String: Any])["spend_usd"] as? Double
        #expect(abs((servedSpend ?? -1) - (spent ?? 0)) < 1e-12, "the spend, with the deleted answer's, is the same: \(String(describing: servedSpend))")
        let list = try await postgresApp.cli(["user", "list"], environment: Self.environment)
        #expect(list.code == 0 && list.stdout.contains("bob"), "\(list.stdout)\(list.stderr)")
        let search = try await RawHTTP.send("GET", port: postgresApp.webPort, path: "/api/search?q=pelic")
        #expect((search.object?["results"] as? [[String: Any]] ?? []).contains { $0["conversation_id"] as? String == conversation }, "\(search.body)")
        #expect(try await ChatTests.chat(postgresApp, "A new turn numbers after the copied messages").status == 200)
        await Self.halt(postgresApp)

        let again = try await sqliteApp.cli(["migrate", "--to", database.url], environment: Self.environment)
        #expect(again.code == 0 && again.stdout == copied.stdout, "a re-run replaces the new turn with the source's rows:\n\(again.stdout)\(again.stderr)")

        // A changed row and a changed total are found; another run puts the source's back.
        let sql = try TestPostgres.connect(database.url)
        try sql.execute("UPDATE users SET role = 'admin' WHERE name = 'bob'")
        try sql.execute("UPDATE spend_by_user_day SET cost_usd = cost_usd + 0.5")
        let checked = try await sqliteApp.cli(["migrate", "--verify-only", "--to", database.url], environment: Self.environment)
        #expect(checked.code == 65, "\(checked.stdout)\(checked.stderr)")
        let lines = checked.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("users: 2 rows, sha256") && $0.hasSuffix("MISMATCH") }, "\(checked.stdout)")
        #expect(lines.contains { $0.hasPrefix("spend_by_user_day: totals differ MISMATCH: owner ") }, "\(checked.stdout)")
        #expect(checked.stderr.contains("verification failed: users, spend_by_user_day differ"), "\(checked.stderr)")
        #expect(try await sqliteApp.cli(["migrate", "--to", database.url], environment: Self.environment).stdout == copied.stdout)

        // And back: from the PostgreSQL configuration to a new SQLite file.
        let back = postgresApp.directory.path + "/back.db"
        let returned = try await postgresApp.cli(["migrate", "--to", "sqlite://" + back], environment: Self.environment)
        #expect(returned.code == 0 && returned.stdout == copied.stdout, "the same rows and checksums:\n\(returned.stdout)\(returned.stderr)")
        let file = try SQLiteDatabase(path: back, create: false)
        #expect(try file.scalarInt("SELECT count(*) FROM messages") == 5 && file.scalarInt("SELECT count(*) FROM users") == 2)
        #expect(try file.scalarInt("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'pelicans'") == 1, "searchable in SQLite again")
        let exists = try await postgresApp.cli(["migrate", "--to", "sqlite://" + back], environment: Self.environment)
        #expect(exists.code == 65 && exists.stderr.contains("--force"), "\(exists.stderr)")
        let forced = try await postgresApp.cli(["migrate", "--force", "--to", "sqlite://" + back], environment: Self.environment)
        #expect(forced.code == 0 && forced.stdout == copied.stdout, "\(forced.stdout)\(forced.stderr)")
    }

    @Test("refusals: the configuration's own engine, a password in the URL, a missing source, a newer target schema")
    func refusals() async throws {
        let app = try Appliance()
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        await Self.halt(app)
        let database = try TestPostgres.freshDatabase(prefix: "refuse")

        let same = try await app.cli(["migrate", "--to", "sqlite://" + app.dataDirectory + "/neural-terminal.db"])
        #expect(same.code == 65 && same.stderr.contains("is the configuration's own database"), "\(same.stderr)")
        let withPassword = try await app.cli(["migrate", "--to", database.url.replacingOccurrences(of: "nt_admin@", with: "nt_admin:secret@")])
        #expect(withPassword.code == 64 && withPassword.stderr.contains("--to must not hold a password"), "\(withPassword.stderr)")

        let sql = try TestPostgres.connect(database.url)
        try sql.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        try sql.execute("INSERT INTO schema_migrations VALUES (99, 'from a later release', 'now')")
        let newer = try await app.cli(["migrate", "--to", database.url], environment: Self.environment)
        #expect(newer.code == 65 && newer.stderr.contains("newer than this binary"), "\(newer.stderr)")

        try FileManager.default.removeItem(atPath: app.dataDirectory + "/neural-terminal.db")
        let missing = try await app.cli(["migrate", "--to", database.url], environment: Self.environment)
        #expect(missing.code == 69 && missing.stderr.contains("no database at"), "\(missing.stderr)")
    }
}
