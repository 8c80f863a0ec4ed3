import NTFiles
import NTStorage
import NTSystem

/// Restoring a backup in two steps, so that nothing is touched until the backup is proven sound.
///
/// ``stage(_:dataDirectory:newestSchema:limits:now:progress:)`` proves the backup (``BackupCatalog/check(_:manifest:into:limits:newestSchema:progress:)``:
/// SHA-256 before any decompression, a size bounded by the manifest, `backup.restore_max_mb` and the free space,
/// then ``SchemaCheck``) and decompresses it into a hidden file beside the database (same file system, so the swap
/// is a rename). ``swap(staged:database:now:)`` then, with no writer running, replaces the database in one
/// `rename()`, the previous one kept as `neural-terminal.db.before-restore-<time>`; ``rollBack(database:aside:now:)``
/// puts it back the same way. The database path never goes missing: a reader sees the old file or the new one.
public enum Restore {
    /// A verified copy ready to be swapped in.
    public struct Staged: Sendable {
        public let path: String
        public let manifest: BackupManifest
        public let schemaVersion: Int
    }

    public static func stage(
        _ backup: String, dataDirectory: String, newestSchema: Int = Schema.newestVersion,
        limits: DecompressionLimits = .init(), now: UTCTime = .now(), progress: (Int) -> Void = { _ in }
    ) throws -> Staged {
        let manifest = try BackupManifest.read(forBackup: backup)
        let target = dataDirectory + "/.restore-" + now.compact + ".db"
        DatabaseFiles.remove(target)
        let version = try BackupCatalog.check(
            backup, manifest: manifest, into: target, limits: limits, newestSchema: newestSchema, progress: progress
        )
        return Staged(path: target, manifest: manifest, schemaVersion: version)
    }

    /// Swaps the staged file in; returns where the previous database was kept. Call with no connection writing.
    public static func swap(staged: String, database: String, now: UTCTime = .now()) throws -> String {
        let aside = unusedName(database + ".before-restore-" + now.compact)
        try BackupError.mapping { try replace(database, with: staged, keepingCurrentAs: aside) }
        return aside
    }

    /// Why ``install(staged:database:now:)`` failed.
    public enum InstallFailure: Error, Sendable {
        /// The swap failed: the previous database is unchanged (the staged file may remain; the caller removes it).
        case swap(String)
        /// The restored database is in place but its migrations failed: the caller puts the previous database,
        /// kept at `aside`, back with ``rollBack(database:aside:now:)`` (with no connection writing).
        case migration(aside: String, error: String)
    }

    /// The sequence both the CLI (appliance stopped) and the supervisor (writers stopped) run: swaps the staged file
    /// in (``swap(staged:database:now:)``) and runs the migrations on it, so an older backup is brought up to this
    /// release's schema. Returns where the previous database is kept and the schema version reached.
    public static func install(
        staged: String, database: String, now: UTCTime = .now()
    ) throws(InstallFailure) -> (aside: String, schemaVersion: Int) {
        let aside: String
        do {
            aside = try swap(staged: staged, database: database, now: now)
        } catch {
            throw .swap("\(error)")
        }
        do {
            return (aside, try Migrator(database: SQLiteDatabase(path: database)).migrate().version)
        } catch {
            throw .migration(aside: aside, error: "\(error)")
        }
    }

    /// Puts back the database ``swap(staged:database:now:)`` kept at `aside`; the restored one is kept as
    /// `neural-terminal.db.failed-restore-<time>` (returned). Call with no connection writing.
    public static func rollBack(database: String, aside: String, now: UTCTime = .now()) throws -> String {
        let failed = unusedName(database + ".failed-restore-" + now.compact)
        try BackupError.mapping { try replace(database, with: aside, keepingCurrentAs: failed) }
        return failed
    }

    /// Replaces `database` with `incoming` in one `rename()`, after hard-linking the current file (and its WAL,
    /// if a checkpoint could not empty it) to `keep`. The incoming WAL must fold into its file; the current one is
    /// folded if it can be (a connection still holding it, or a lock, leaves it to be kept beside `keep`). No WAL
    /// of one database is ever left beside the other.
    static func replace(_ database: String, with incoming: String, keepingCurrentAs keep: String) throws {
        try foldWAL(incoming)
        if FileOps.exists(database) {
            try? foldWAL(database)
            try FileOps.link(database, keep)
            if (FileOps.size(database + "-wal") ?? 0) > 0 { try FileOps.link(database + "-wal", keep + "-wal") }
        }
        FileOps.remove(database + "-wal")
        FileOps.remove(database + "-shm")
        try FileOps.rename(incoming, database)
        FileOps.remove(incoming + "-shm")
        try FileOps.syncDirectory(directory(of: database))
    }

    /// Checkpoints a WAL beside `path` into the file (closing the last connection removes the WAL).
    static func foldWAL(_ path: String) throws {
        guard FileOps.exists(path + "-wal") else { return }
        do {
            let connection = try SQLiteDatabase(path: path)
            try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        } catch {
            throw BackupError.storage("checkpointing \(path): \(error)")
        }
    }

    /// `base`, or `base-2`, `base-3`… if taken.
    static func unusedName(_ base: String) -> String {
        var name = base
        var n = 1
        while FileOps.exists(name) {
            n += 1
            name = base + "-\(n)"
        }
        return name
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
