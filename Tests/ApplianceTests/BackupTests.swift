import Foundation
import NTBackup
import NTFiles
import NTStorage
import Testing

/// Backups, restore and the disk-full path against the real binary, while it serves.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct BackupTests {
    /// Starts `writers` loops creating conversations until `stop` is set; each write's latency is logged.
    static func writers(_ app: Appliance, count: Int, log: LatencyLog, stop: StopFlag) -> [Task<Void, Never>] {
        (0..<count).map { writer in
            Task {
                var i = 0
                while !(await stop.isSet) {
                    let start = Date()
                    do {
                        try await app.createConversation("writer \(writer) row \(i)")
                        await log.record(Date().timeIntervalSince(start))
                    } catch {
                        await log.fail("\(error)")
                    }
                    i += 1
                }
            }
        }
    }

    @Test func aBackupTakenWhileWritersRunIsConsistentAndVerified() async throws {
        let app = try Appliance(extraConfig: "backup.interval_minutes = 0\n")
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        for i in 0..<200 { try await app.createConversation("seed \(i)") }

        let log = LatencyLog(), stop = StopFlag()
        let tasks = Self.writers(app, count: 4, log: log, stop: stop)
        try await Task.sleep(for: .milliseconds(500))
        let before = await log.samples.count
        let result = try await app.cli(["backup", "--json"])
        let during = await Array(log.samples[before...])
        await stop.set()
        for task in tasks { await task.value }

        #expect(result.code == 0, "\(result.stderr)")
        let report = try BackupReport.decode(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let manifest = try #require(report.manifest)
        #expect(manifest.integrity == "ok")
        #expect((manifest.rowCounts["conversations"] ?? 0) >= 200)
        #expect(await log.failures.isEmpty)
        let sortedDuring = during.sorted()
        let p99 = sortedDuring.isEmpty ? 0 : sortedDuring[min(sortedDuring.count - 1, Int(Double(sortedDuring.count) * 0.99))] * 1000
        print("backup while 4 writers run: \(during.count) writes during the backup, writers' p99 \(String(format: "%.1f", p99)) ms (overall p99 \(String(format: "%.1f", await log.quantileMs(0.99))) ms), backup \(manifest.durationSeconds) s")

        let list = try await app.cli(["backups"])
        #expect(list.code == 0)
        #expect(list.stdout.contains(manifest.file) && list.stdout.contains(" ok"))
        let deep = try await app.cli(["backups", "--deep"])
        #expect(deep.code == 0, "\(deep.stdout) \(deep.stderr)")
        #expect(try app.metricValue("neural_terminal_backups_total{worker=\"maintenance\"}") == 1)
        #expect((try app.metricValue("neural_terminal_backup_last_success_timestamp_seconds{worker=\"maintenance\"}") ?? 0) > 1_700_000_000)
    }

    @Test func sigusr1AndTheScheduleTakeBackups() async throws {
        let app = try Appliance(extraConfig: "backup.interval_minutes = 0\nmaintenance.tick_seconds = 1\n")
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        try await app.createConversation("before the signal")

        app.signal(SIGUSR1)
        try await eventually(timeout: 10, "a backup after SIGUSR1") { app.backupFiles().count == 1 }
        #expect(app.logLines().contains { $0.contains("backup requested by SIGUSR1") })
        try await eventually(timeout: 5, "the backup counted") {
            try app.metricValue("neural_terminal_backups_total{worker=\"maintenance\"}") == 1
        }

        // With an interval, the maintenance worker takes one when the newest is older than the interval.
        try app.writeConfig("backup.interval_minutes = 0.02\nmaintenance.tick_seconds = 1\n")
        app.signal(SIGHUP)
        try await eventually(timeout: 10, "a scheduled backup, logged") {
            app.backupFiles().count >= 2
                && app.logLines().contains { $0.contains("backup written") && $0.contains("\"trigger\":\"schedule\"") }
        }
    }

    @Test func aCorruptedOrTruncatedBackupIsDetectedAndNeverRestored() async throws {
        let app = try Appliance(extraConfig: "backup.interval_minutes = 0\n")
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        for i in 0..<30 { try await app.createConversation("row \(i)") }
        let made = try await app.cli(["backup"])
        #expect(made.code == 0, "\(made.stderr)")
        let good = try #require(app.backupFiles().first)
        let dir = app.backupDirectory
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + good)))
        let manifest = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + good + ".json"))

        let corrupt = "neural-terminal-20200101T000000Z.db.zst", truncated = "neural-terminal-20200102T000000Z.db.zst"
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + corrupt))
        try manifest.write(to: URL(fileURLWithPath: dir + "/" + corrupt + ".json"))
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes.prefix(bytes.count * 2 / 3)).write(to: URL(fileURLWithPath: dir + "/" + truncated))
        try manifest.write(to: URL(fileURLWithPath: dir + "/" + truncated + ".json"))

        let list = try await app.cli(["backups"])
        #expect(list.code == 1)
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.first { $0.hasPrefix(good) }?.hasSuffix(" ok") == true)
        #expect(lines.first { $0.hasPrefix(corrupt) }?.contains("checksum mismatch") == true)
        #expect(lines.first { $0.hasPrefix(truncated) }?.contains("truncated") == true)

        let count = try await app.conversationCount()
        for bad in [corrupt, truncated] {
            let restore = try await app.cli(["restore", bad])
            #expect(restore.code == 1)
            #expect(restore.stderr.contains("restore refused"))
        }
        #expect(try await app.conversationCount() == count)
        let staged = try FileManager.default.contentsOfDirectory(atPath: app.dataDirectory).filter { $0.hasPrefix(".restore-") }
        #expect(staged.isEmpty)
    }

    @Test func restoreWhileServingSwapsTheDatabaseWithoutAFailedRequest() async throws {
        let app = try Appliance(extraConfig: "backup.interval_minutes = 0\n")
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        for i in 0..<40 { try await app.createConversation("kept \(i)") }
        let made = try await app.cli(["backup"])
        #expect(made.code == 0, "\(made.stderr)")
        let backup = try #require(app.backupFiles().first)
        for i in 0..<15 { try await app.createConversation("after the backup \(i)") }
        #expect(try await app.conversationCount() == 55)

        let log = LatencyLog(), stop = StopFlag()
        let readers = (0..<2).map { _ in
            Task {
                while !(await stop.isSet) {
                    let start = Date()
                    do {
                        let answer = try await RawHTTP.send("GET", port: app.webPort, path: "/api/version", timeout: 30)
                        if answer.status == 200 { await log.record(Date().timeIntervalSince(start)) } else { await log.fail("status \(answer.status)") }
                    } catch {
                        await log.fail("\(error)")
                    }
                }
            }
        }
        let restore = try await app.cli(["restore", backup])
        try await Task.sleep(for: .milliseconds(300))
        await stop.set()
        for task in readers { await task.value }

        #expect(restore.code == 0, "\(restore.stdout) \(restore.stderr)")
        #expect(restore.stdout.contains("previous database kept as"))
        let failures = await log.failures
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        print("restore while serving: \(await log.samples.count) requests, slowest \(String(format: "%.0f", await log.quantileMs(1))) ms, none failed")
        try await app.waitUntilReady()
        #expect(try await app.conversationCount() == 40)
        try await app.createConversation("after the restore")
        #expect(try await app.conversationCount() == 41)
        let aside = try FileManager.default.contentsOfDirectory(atPath: app.dataDirectory).filter { $0.contains(".before-restore-") && !$0.hasSuffix("-wal") }
        #expect(aside.count == 1)
        let old = try SQLiteDatabase(path: app.dataDirectory + "/" + aside[0], readOnly: true)
        #expect(try old.scalarInt("SELECT COUNT(*) FROM conversations") == 55)
        let live = try SQLiteDatabase(path: app.dataDirectory + "/neural-terminal.db", readOnly: true)
        #expect(try live.integrityCheck() == "ok")
        #expect(app.logLines().contains { $0.contains("restore: writers resumed") })
    }

    @Test func aFullDiskFailsTheBackupCleanlyAndTheApplianceStaysReady() async throws {
        let mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("nt-tmpfs-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = try await Appliance.run("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint])
        guard mount.code == 0 else {
            print("skipping the disk-full test: cannot mount a tmpfs (\(mount.stderr.trimmingCharacters(in: .whitespacesAndNewlines)))")
            try? FileManager.default.removeItem(atPath: mountPoint)
            return
        }
        defer {
            _ = try? Process.run(URL(fileURLWithPath: "/bin/umount"), arguments: [mountPoint]).waitUntilExit()
            try? FileManager.default.removeItem(atPath: mountPoint)
        }
        let app = try Appliance(extraConfig: "backup.interval_minutes = 0\nbackup.dir = \"\(mountPoint)\"\nbackup.min_free_mb = 0\n")
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        for i in 0..<300 { try await app.createConversation("filling the database with a longer title \(i) \(String(repeating: "x", count: 120))") }

        // Leave about 40 kB free: less than the snapshot needs.
        let filler = mountPoint + "/filler"
        _ = FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
        let free = try #require(FileOps.freeBytes(mountPoint))
        try handle.write(contentsOf: Data(count: max(0, free - 40_000)))
        try handle.close()

        // First the free-space check refuses; then, with room for the snapshot but not for the compressed copy
        // beside it, writing fails half-way (ENOSPC). Both leave nothing behind.
        let databaseBytes = try SQLiteDatabase(path: app.dataDirectory + "/neural-terminal.db", readOnly: true).sizeInBytes()
        for attempt in 1...2 {
            if attempt == 2 {
                let nowFree = try #require(FileOps.freeBytes(mountPoint))
                let size = try #require(FileOps.size(filler))
                let shrink = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
                try shrink.truncate(atOffset: UInt64(max(0, size - (databaseBytes + 8192 - nowFree))))
                try shrink.close()
            }
            let result = try await app.cli(["backup", "--json"])
            #expect(result.code == 1)
            let report = try BackupReport.decode(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(report.reason == "disk_full", "attempt \(attempt): \(report.error ?? "")")
            print("disk full, attempt \(attempt): \(report.error ?? "")")
            let left = try FileManager.default.contentsOfDirectory(atPath: mountPoint).sorted()
            #expect(left == [".lock", "filler"], "no partial file left: \(left)")
        }
        #expect(try app.metricValue("neural_terminal_backup_failures_total{worker=\"maintenance\",reason=\"disk_full\"}") == 2)
        #expect(app.logLines().contains { $0.contains("backup failed") && $0.contains("disk_full") })
        #expect(try app.metrics("/ready").status == 200)
        try await app.createConversation("still writing")
    }
}

extension BackupTests {
    @Test func withTheApplianceStoppedBackupAndRestoreRunDirectly() async throws {
        let app = try Appliance(extraConfig: "backup.interval_minutes = 0\nbackup.keep_last = 1\nbackup.keep_daily = 0\nbackup.keep_weekly = 0\nbackup.keep_monthly = 0\n")
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        for i in 0..<25 { try await app.createConversation("row \(i)") }
        app.signal(SIGTERM)
        #expect(await app.waitForExit(timeout: 10) == 0)

        let first = try await app.cli(["backup"])
        #expect(first.code == 0, "\(first.stderr)")
        #expect(first.stderr.contains("snapshot: 100%") && first.stderr.contains("compress: 100%"), "plain progress lines when not on a terminal")
        #expect(first.stdout.contains("backup written:"))
        let second = try await app.cli(["backup"])
        #expect(second.stdout.contains("pruned by retention"), "keep_last = 1 removes the first")
        let name = try #require(app.backupFiles().first)
        #expect(app.backupFiles().count == 1)

        let database = app.dataDirectory + "/neural-terminal.db"
        let writer = try SQLiteDatabase(path: database)
        try writer.execute("DELETE FROM conversations")
        let restore = try await app.cli(["restore", name])
        #expect(restore.code == 0, "\(restore.stderr)")
        #expect(restore.stderr.contains("backup verified"))
        let restored = try SQLiteDatabase(path: database, readOnly: true)
        #expect(try restored.scalarInt("SELECT COUNT(*) FROM conversations") == 25)
    }
}

/// A flag tasks poll to stop.
actor StopFlag {
    private(set) var isSet = false
    func set() { isSet = true }
}
