import NTConfig
import Testing

@Suite("The [backup] section")
struct BackupConfigTests {
    @Test("defaults: every 6 hours, zstd 3, keep 7/7/4/12, 64 MiB free, into <data_dir>/backups")
    func defaults() throws {
        let defaults = try config("")
        #expect(defaults.backup.intervalMinutes == 360)
        #expect(defaults.backup.zstdLevel == 3)
        #expect([defaults.backup.keepLast, defaults.backup.keepDaily, defaults.backup.keepWeekly, defaults.backup.keepMonthly] == [7, 7, 4, 12])
        #expect(defaults.backup.minFreeMB == 64)
        #expect(defaults.resolvedBackupDir == "./data/backups")
        #expect(try config("[storage]\ndata_dir = \"/var/lib/nt/\"").resolvedBackupDir == "/var/lib/nt/backups")
        #expect(try config("[backup]\ndir = \"/mnt/backups\"").resolvedBackupDir == "/mnt/backups")
    }

    @Test("values are checked against their ranges, and every key applies in place")
    func ranges() {
        #expect(configErrors("[backup]\nzstd_level = 20") == ["nt.toml:2: 'backup.zstd_level' must be between 1 and 19 (got 20)"])
        #expect(configErrors("[backup]\ninterval_minutes = -1") == ["nt.toml:2: 'backup.interval_minutes' must be between 0 and 525600 (got -1)"])
        #expect(configErrors("[backup]\nkeep_daily = -2") == ["nt.toml:2: 'backup.keep_daily' must be between 0 and 100000 (got -2)"])
        #expect(configErrors("backup.interval_minutes = 0\nbackup.keep_last = 0").isEmpty)
        for key in ConfigSchema.keyPaths where key.hasPrefix("backup.") {
            #expect(ConfigSchema.reloadEffect(of: key) == .inPlace, "\(key)")
        }
    }
}
