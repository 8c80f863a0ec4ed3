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
        #expect(probe.check(location: .sqlite(path: db.path), now: start).state == "ok", "a lock seen once is a write in progress")
        #expect(probe.check(location: .sqlite(path: db.path), now: start + .seconds(4)).state == "ok")
        #expect(probe.check(location: .sqlite(path: db.path), now: start + .seconds(5)).state == "locked")
        try other.execute("COMMIT")
        #expect(probe.check(location: .sqlite(path: db.path), now: start + .seconds(6)).state == "ok")
        try other.execute("BEGIN IMMEDIATE")
        #expect(probe.check(location: .sqlite(path: db.path), now: start + .seconds(7)).state == "ok", "a new lock starts a new wait")
        try other.execute("COMMIT")
    }

    /// A file replaced under the running appliance (a restore by hand, a copy) is not locked by the appliance's
    /// connections: a probe that closed it as the last connection would write the appliance's WAL into it and
    /// delete the WAL, and the appliance's newest writes would be gone once the original is back.
    @Test func aProbeOfAReplacedFileLeavesTheWALOfTheOneInUseAlone() throws {
        let db = try TempDatabase()
        defer { db.cleanup() }
        let appliance = try SQLiteDatabase(path: db.path)
        try appliance.execute("PRAGMA wal_autocheckpoint = 0; CREATE TABLE newest (x INTEGER); INSERT INTO newest VALUES (42)")
        let moved = db.path + ".in-use"
        #expect(rename(db.path, moved) == 0)
        // In its place, a copy of the main file alone: a valid database, beside the appliance's WAL.
        try FileManager.default.copyItem(atPath: moved, toPath: db.path)
        _ = DatabaseHealth.check(path: db.path)
        #expect(FileManager.default.fileExists(atPath: db.path + "-wal"), "the WAL was left where it was")
        try FileManager.default.removeItem(atPath: db.path)
        #expect(rename(moved, db.path) == 0)
        #expect(try appliance.scalarInt("SELECT x FROM newest") == 42)
        let reader = try SQLiteDatabase(path: db.path, readOnly: true)
        #expect(try reader.scalarInt("SELECT x FROM newest") == 42, "the newest write is still there")
    }
}
