import NTStorage

/// Restoring a backup in two steps, so that nothing is touched until the backup is proven sound.
///
/// ``stage(_:dataDirectory:newestSchema:now:progress:)`` checks the manifest and the SHA-256, decompresses into a
/// hidden file beside the database (same file system, so the swap is a rename), checks zstd's checksum and
/// `integrity_check`, and refuses a schema newer than this binary. ``swap(staged:database:now:)`` then, with no
/// writer running, keeps the current database aside as `neural-terminal.db.before-restore-<time>` (its WAL
/// with it) and renames the staged file into place: a reader sees either the old database or the new one.
public enum Restore {
    /// A verified copy ready to be swapped in.
    public struct Staged: Sendable {
        public let path: String
        public let manifest: BackupManifest
        public let schemaVersion: Int
    }

    public static func stage(
        _ backup: String, dataDirectory: String, newestSchema: Int, now: UTCTime = .now(), progress: (Int) -> Void = { _ in }
    ) throws -> Staged {
        let manifest = try BackupManifest.read(forBackup: backup)
        guard manifest.schemaVersion <= newestSchema else {
            throw BackupError.newerSchema(backup: manifest.schemaVersion, binary: newestSchema)
        }
        let size = FileOps.size(backup) ?? -1
        guard size == manifest.compressedBytes else {
            throw BackupError.manifest("truncated: \(backup) has \(size) bytes, its manifest says \(manifest.compressedBytes)")
        }
        let target = dataDirectory + "/.restore-" + now.compact + ".db"
        FileOps.remove(target)
        let version = try BackupCatalog.check(backup, manifest: manifest, into: target, progress: progress)
        guard version <= newestSchema else {
            FileOps.remove(target)
            throw BackupError.newerSchema(backup: version, binary: newestSchema)
        }
        return Staged(path: target, manifest: manifest, schemaVersion: version)
    }

    /// Swaps the staged file in; returns where the previous database was kept. Call with no connection writing.
    public static func swap(staged: String, database: String, now: UTCTime = .now()) throws -> String {
        let aside = database + ".before-restore-" + now.compact
        if FileOps.exists(database) {
            // Fold the WAL into the file so the copy kept aside is complete on its own.
            if let current = try? SQLiteDatabase(path: database) {
                try? current.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            }
            try FileOps.rename(database, aside)
            if FileOps.exists(database + "-wal") { try FileOps.rename(database + "-wal", aside + "-wal") }
            FileOps.remove(database + "-shm")
        }
        try FileOps.rename(staged, database)
        try FileOps.syncDirectory(directory(of: database))
        return aside
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
