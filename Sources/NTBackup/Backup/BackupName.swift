import NTSystem

/// Backup file names: `neural-terminal-YYYYMMDDTHHMMSSZ.db.zst`, with the manifest beside it as `<name>.json`.
public enum BackupName {
    public static let prefix = "neural-terminal-"
    public static let suffix = ".db.zst"
    public static let manifestSuffix = ".json"
    /// Temporary files of a backup in progress start with this; they never look like a backup.
    public static let temporaryPrefix = ".tmp-"

    /// The file name of a backup taken at `time`.
    public static func file(at time: UTCTime) -> String { prefix + time.compact + suffix }

    /// The time in a backup file name, or nil when `name` is not one.
    public static func time(of name: String) -> UTCTime? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        return UTCTime(compact: String(name.dropFirst(prefix.count).dropLast(suffix.count)))
    }

    /// The manifest's path for a backup's path.
    public static func manifest(of path: String) -> String { path + manifestSuffix }
}
