import NTFiles

/// A SQLite database file and the companions SQLite may keep beside it (rollback journal, WAL, shared memory).
enum DatabaseFiles {
    static let companionSuffixes = ["-journal", "-wal", "-shm"]

    /// Removes the database at `path` with its companions. A scratch copy (a snapshot, a backup being verified, a
    /// staged restore) is removed this way, so no companion is left behind, and none left by an earlier run is
    /// replayed into a new file of the same name.
    static func remove(_ path: String) {
        for suffix in [""] + companionSuffixes { FileOps.remove(path + suffix) }
    }
}
