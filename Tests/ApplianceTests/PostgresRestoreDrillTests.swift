import Foundation
import NTPostgres
import NTStorage
import PostgresTestSupport
import Testing

/// The restore drill of docs/runbook.md ("Backups are PostgreSQL's"), run for real: `pg_dump -Fc` of a database an
/// appliance wrote, `pg_restore --no-owner --role=…` into a new database created from template0, and an appliance
/// started on the copy serves what the dump held and goes on writing.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct PostgresRestoreDrillTests {
    @Test("pg_dump, pg_restore into a new database, and an appliance on it: the conversations, search and new turns work")
    func theRestoreDrillWorks() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let original = try TestPostgres.freshDatabase(prefix: "drill")
        let first = try await PostgresApplianceTests.start(fake, url: original.url)
        let answer = try await ChatTests.chat(first, "Tell me about pelicans")
        #expect(answer.status == 200)
        let conversation = try #require(answer.json("meta").first?["conversation_id"] as? String)
        let before = try await ChatTests.storedMessages(first, conversation)
        await first.stop()

        let dump = FileManager.default.temporaryDirectory.appendingPathComponent("nt-drill-\(UUID().uuidString.prefix(8)).dump").path
        defer { try? FileManager.default.removeItem(atPath: dump) }
        try TestPostgres.dump(url: original.url, to: dump)
        let restoredName = original.name + "_restored"
        let admin = try TestPostgres.connect(try TestPostgres.cluster().url(database: "postgres"))
        try admin.execute("CREATE DATABASE \(restoredName) OWNER \(TestPostgres.superuser) TEMPLATE template0")
        let restoredURL = try TestPostgres.cluster().url(database: restoredName)
        try TestPostgres.restore(dump, into: restoredURL, role: TestPostgres.superuser)

        let restored = try TestPostgres.connect(restoredURL)
        #expect(try restored.query("SELECT count(*) FROM schema_migrations").int(row: 0, column: 0) == PostgresSchema.migrations.count)
        let second = try await PostgresApplianceTests.start(fake, url: restoredURL)
        defer { Task { await second.stop() } }
        let after = try await ChatTests.storedMessages(second, conversation)
        #expect(after.map { $0["content"] as? String } == before.map { $0["content"] as? String }, "the dump's conversation, whole")
        #expect(after.last?["status"] as? String == "complete")
        let search = try await RawHTTP.send("GET", port: second.webPort, path: "/api/search?q=pelic")
        let hits = search.object?["results"] as? [[String: Any]] ?? []
        #expect(hits.contains { $0["conversation_id"] as? String == conversation }, "search finds it in the copy: \(search.body.prefix(300))")
        // The identity behind search's order and every trigger came through: a new turn is stored after the old ones.
        let next = try await ChatTests.chat(second, "and albatrosses?", conversation: conversation)
        #expect(next.status == 200 && next.json("done").first?["status"] as? String == "complete", "\(next.body.prefix(300))")
        #expect(try await ChatTests.storedMessages(second, conversation).count == before.count + 2)
        let spend = try restored.query("SELECT SUM(cost_usd) FROM spend_by_day").double(row: 0, column: 0)
        let costs = try restored.query("SELECT SUM(cost_usd) FROM messages").double(row: 0, column: 0)
        #expect(abs(spend - costs) < 1e-12, "the running totals go on from the restored ones")
    }
}
