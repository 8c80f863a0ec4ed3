import NTFiles
import NTStorage
#if canImport(Glibc)
import Glibc
import NTSystem
#endif

/// What a backup needs to know.
public struct BackupSettings: Sendable {
    /// The live database.
    public var databasePath: String
    /// Where backups go (created if missing).
    public var directory: String
    /// zstd level, 1…19.
    public var zstdLevel: Int32
    /// Free space that must remain on the backup file system after the snapshot is written.
    public var minFreeBytes: Int
    /// Written into the manifest.
    public var appVersion: String
    /// Pages copied per step of SQLite's online backup.
    public var pagesPerStep: Int32 = 1024

    public init(databasePath: String, directory: String, zstdLevel: Int32, minFreeBytes: Int, appVersion: String) {
        self.databasePath = databasePath
        self.directory = directory
        self.zstdLevel = zstdLevel
        self.minFreeBytes = minFreeBytes
        self.appVersion = appVersion
    }
}

/// A finished backup.
public struct BackupResult: Sendable {
    /// Path of the `.db.zst` file.
    public let path: String
    public let manifest: BackupManifest
}

/// The phases a backup reports progress for; `fraction` runs from 0 to 1 within each.
public enum BackupPhase: String, Sendable {
    case snapshot, check, compress
}

/// Takes backups of the live database: a consistent snapshot while writers keep going, checked, compressed,
/// fsynced and renamed into place with a manifest beside it.
///
/// Steps, all in `settings.directory`:
/// 1. take the directory's lock (one backup at a time, across processes), remove leftovers of a crashed run;
/// 2. check free space: the database's size plus `minFreeBytes` must be available;
/// 3. snapshot with SQLite's online backup API into `.tmp-<name>.db` (one read transaction, so writers go on);
/// 4. `PRAGMA integrity_check`, schema version and row counts on the snapshot;
/// 5. compress it with zstd (checksum on) into `.tmp-<name>.zst`, hashing with SHA-256; fsync;
/// 6. write the manifest as `.tmp-<name>.json`, fsync; rename the backup, then the manifest; fsync the directory.
///
/// Any failure removes every temporary file, so no partial backup is ever visible under a backup's name, and the
/// database is only ever read.
public enum BackupEngine {
    public static func create(
        _ settings: BackupSettings,
        now: () -> UTCTime = UTCTime.now,
        shouldContinue: () -> Bool = { true },
        progress: (BackupPhase, Double) -> Void = { _, _ in }
    ) throws -> BackupResult {
        let clock = ContinuousClock.now
        let directory = settings.directory
        guard FileOps.exists(settings.databasePath) else { throw BackupError.noDatabase(path: settings.databasePath) }
        let lock = try BackupError.mapping {
            try FileOps.makeDirectories(directory)
            return try DirectoryLock(directory: directory)
        }
        defer { lock.release() }
        removeLeftovers(in: directory)

        let source: SQLiteDatabase
        let databaseBytes: Int
        do {
            source = try SQLiteDatabase(path: settings.databasePath)
            databaseBytes = try source.sizeInBytes()
        } catch {
            throw BackupError.storage("\(error)")
        }
        let free = FileOps.freeBytes(directory) ?? Int.max
        let needed = databaseBytes + settings.minFreeBytes
        guard free >= needed else { throw BackupError.diskFull(path: directory, free: free, needed: needed) }

        var time = now()
        while FileOps.exists(directory + "/" + BackupName.file(at: time)) { time = UTCTime(unix: time.unix + 1) }
        let name = BackupName.file(at: time)
        let snapshot = directory + "/" + BackupName.temporaryPrefix + name + ".db"
        let compressed = directory + "/" + BackupName.temporaryPrefix + name
        let manifestTemp = compressed + BackupName.manifestSuffix
        defer {
            DatabaseFiles.remove(snapshot)
            FileOps.remove(compressed)
            FileOps.remove(manifestTemp)
        }
        do {
            return try BackupError.mapping {
                try write(
                    settings, source: source, name: name, time: time, snapshot: snapshot, compressed: compressed,
                    manifestTemp: manifestTemp, databaseBytes: databaseBytes, started: clock, shouldContinue: shouldContinue,
                    progress: progress
                )
            }
        } catch let error as BackupError where error.reason != "disk_full" && error != .cancelled {
            // A write that failed because the disk filled up reads as a disk-I/O error from SQLite; say what it was.
            let freeNow = FileOps.freeBytes(directory) ?? Int.max
            if freeNow < max(databaseBytes / 10, 1 << 20) {
                throw BackupError.diskFull(path: directory, free: freeNow, needed: needed)
            }
            throw error
        }
    }

    private static func write(
        _ settings: BackupSettings, source: SQLiteDatabase, name: String, time: UTCTime, snapshot: String,
        compressed: String, manifestTemp: String, databaseBytes: Int, started clock: ContinuousClock.Instant,
        shouldContinue: () -> Bool, progress: (BackupPhase, Double) -> Void
    ) throws -> BackupResult {
        let directory = settings.directory
        let final = directory + "/" + name

        var phases: [String: Double] = [:]
        var mark = ContinuousClock.now
        func lap(_ phase: BackupPhase) {
            phases[phase.rawValue] = Self.seconds(ContinuousClock.now - mark)
            mark = .now
        }
        do {
            // Created here (mode 0600, like every file a backup writes); SQLite would create it with the umask's.
            close(try FileOps.createNew(snapshot))
            try source.backup(to: snapshot, pagesPerStep: settings.pagesPerStep, shouldContinue: shouldContinue) { copied, total in
                progress(.snapshot, total == 0 ? 1 : Double(copied) / Double(total))
            }
        } catch let error as StorageError where error.code == Self.interruptCode {
            throw BackupError.cancelled
        } catch {
            throw BackupError.converting(error) ?? .storage("snapshot failed: \(error)")
        }
        lap(.snapshot)
        progress(.check, 0)
        let schemaVersion: Int
        let rowCounts: [String: Int]
        do {
            let copy = try SQLiteDatabase(path: snapshot, readOnly: true)
            let verdict = try copy.integrityCheck()
            guard verdict == "ok" else { throw BackupError.integrity(verdict) }
            schemaVersion = try copy.schemaVersion()
            rowCounts = try copy.rowCounts()
        } catch {
            throw BackupError.converting(error) ?? .storage("checking the snapshot: \(error)")
        }
        progress(.check, 1)
        lap(.check)

        let snapshotBytes = FileOps.size(snapshot) ?? databaseBytes
        guard shouldContinue() else { throw BackupError.cancelled }
        let output = try Zstd.compress(input: snapshot, output: compressed, level: settings.zstdLevel, shouldContinue: shouldContinue) { done in
            progress(.compress, snapshotBytes == 0 ? 1 : Double(done) / Double(snapshotBytes))
        }
        lap(.compress)
        FileOps.remove(snapshot)
        let elapsed = ContinuousClock.now - clock
        let manifest = BackupManifest(
            file: name, createdAt: time.iso8601, appVersion: settings.appVersion, schemaVersion: schemaVersion,
            sqliteVersion: SQLiteDatabase.libraryVersion, databaseBytes: output.inputBytes,
            compressedBytes: output.outputBytes, sha256: output.sha256, zstdLevel: Int(settings.zstdLevel),
            integrity: "ok", rowCounts: rowCounts, durationSeconds: Self.seconds(elapsed), phaseSeconds: phases
        )
        try FileOps.writeSmall(manifestTemp, manifest.encoded())
        try FileOps.rename(compressed, final)
        do {
            try FileOps.rename(manifestTemp, BackupName.manifest(of: final))
            try FileOps.syncDirectory(directory)
        } catch {
            FileOps.remove(final)
            throw error
        }
        return BackupResult(path: final, manifest: manifest)
    }

    /// SQLite's `SQLITE_INTERRUPT`, without importing its C module here.
    static let interruptCode: Int32 = 9

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Removes temporary files a crashed backup left (names starting with `.tmp-`).
    static func removeLeftovers(in directory: String) {
        for name in FileOps.list(directory) where name.hasPrefix(BackupName.temporaryPrefix) {
            FileOps.remove(directory + "/" + name)
        }
    }
}
