import Foundation
import NTStorage
import Testing

/// What a readiness probe learns from one look at the database, and from looks over time.
struct DatabaseHealthTests {
    @Test func aHealthyDatabaseIsOkAndALockHeldElsewhereIsSeen() throws {
        let db = try TempDatabase()
        defer { db.cleanup() }
        #expect(DatabaseHealth.check(path: db.path).health == .ok)
        let other = try SQLiteDatabase(path: db.path)
        try other.execute("BEGIN IMMEDIATE")
        #expect(DatabaseHealth.check(path: db.path).health == .lockTaken)
        try other.execute("COMMIT")
        #expect(DatabaseHealth.check(path: db.path).health == .ok)
    }

    @Test func aMissingOrDamagedFileIsAnErrorAndNothingIsCreated() throws {
        let db = try TempDatabase()
        defer { db.cleanup() }
        let missing = db.directory.appendingPathComponent("gone.db").path
        #expect(DatabaseHealth.check(path: missing).health == .error)
        #expect(!FileManager.default.fileExists(atPath: missing), "the probe never creates a database")
        let garbage = db.directory.appendingPathComponent("garbage.db").path
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: garbage))
        #expect(DatabaseHealth.check(path: garbage).health == .error)
    }

    @Test func aLockSeenTakenOnEveryLookForTheWholeWaitIsLocked() throws {
        let db = try TempDatabase()
        defer { db.cleanup() }
        let other = try SQLiteDatabase(path: db.path)
        try other.execute("BEGIN IMMEDIATE")
        var probe = DatabaseHealthProbe(lockedAfter: .seconds(5))
        let start = ContinuousClock.now
        #expect(probe.check(path: db.path, now: start).state == "ok", "a lock seen once is a write in progress")
        #expect(probe.check(path: db.path, now: start + .seconds(4)).state == "ok")
        #expect(probe.check(path: db.path, now: start + .seconds(5)).state == "locked")
        try other.execute("COMMIT")
        #expect(probe.check(path: db.path, now: start + .seconds(6)).state == "ok")
        try other.execute("BEGIN IMMEDIATE")
        #expect(probe.check(path: db.path, now: start + .seconds(7)).state == "ok", "a new lock starts a new wait")
        try other.execute("COMMIT")
    }
}
