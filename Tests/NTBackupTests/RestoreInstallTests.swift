import Foundation
import NTBackup
import NTStorage
import Testing

/// ``Restore/install(staged:database:now:)``, the swap and migration the CLI and the supervisor share.
struct RestoreInstallTests {
    @Test func aStagedFileTheMigrationsFailOnIsReportedWithWhereThePreviousDatabaseIsKept() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try scratch.database(conversations: 2)
        let database = scratch.path + "/neural-terminal.db"
        let staged = scratch.path + "/.restore-20200101T000000Z.db"
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: staged))

        do {
            _ = try Restore.install(staged: staged, database: database)
            Issue.record("a file that is not a database was installed")
        } catch {
            guard case .migration(let aside, _) = error else { Issue.record("expected a migration failure: \(error)"); return }
            _ = try Restore.rollBack(database: database, aside: aside)
        }
        #expect(try SQLiteDatabase(path: database).scalarInt("SELECT COUNT(*) FROM conversations") == 2, "the previous database is back")
    }

    @Test func aMissingStagedFileIsASwapFailureAndTheDatabaseIsUnchanged() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try scratch.database(conversations: 2)
        let database = scratch.path + "/neural-terminal.db"
        do {
            _ = try Restore.install(staged: scratch.path + "/.restore-missing.db", database: database)
            Issue.record("a missing staged file was installed")
        } catch {
            guard case .swap = error else { Issue.record("expected a swap failure: \(error)"); return }
        }
        #expect(try SQLiteDatabase(path: database).scalarInt("SELECT COUNT(*) FROM conversations") == 2)
    }
}
