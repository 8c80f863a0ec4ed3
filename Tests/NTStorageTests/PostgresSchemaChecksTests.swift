import Foundation
import NTStorage
import PostgresTestSupport
import Testing

/// The PostgreSQL schema against its psql checks (Postgres/schema-checks.sql): every table, index and trigger, the
/// spend totals, the message tree, the search vectors. The script stops at the first check that fails, with its
/// "FAIL: …" sentence.
@Suite("The PostgreSQL schema passes its psql checks")
struct PostgresSchemaChecksTests {
    static let script = String(#filePath.dropLast("PostgresSchemaChecksTests.swift".count)) + "Postgres/schema-checks.sql"

    @Test("on a new database migrated by its owner, a plain role, every check passes")
    func everyCheckPasses() throws {
        let made = try TestPostgres.migratedDatabase()
        defer { TestPostgres.drop(database: made.name) }
        let output: String
        do {
            output = try TestPostgres.psql(file: Self.script, url: made.url)
        } catch {
            Issue.record("the checks stopped: \(error)")
            return
        }
        let lines = output.split(separator: "\n")
        let checks = try String(contentsOfFile: Self.script, encoding: .utf8).components(separatedBy: "RAISE NOTICE 'PASS: ").count - 1
        #expect(!lines.contains { $0.contains("FAIL") }, "\(output)")
        #expect(!output.contains("WARNING"), "run as a superuser: \(output)")
        #expect(checks > 0 && lines.filter { $0.contains("NOTICE:  PASS: ") }.count >= checks, "every check ran: \(output)")
        #expect(lines.contains { $0.hasSuffix("NOTICE:  ALL CHECKS PASSED") }, "\(output)")
    }
}
