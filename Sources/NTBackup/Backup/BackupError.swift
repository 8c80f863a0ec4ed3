import NTFiles

/// Why a backup, a verification or a restore failed. Every case leaves no partial file behind.
public enum BackupError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A file operation or zstd failed (a system call with `errno`'s text, a corrupt or truncated frame).
    case file(FileError)
    /// Less free space than the backup needs (`needed` includes `backup.min_free_mb`).
    case diskFull(path: String, free: Int, needed: Int)
    /// The database file does not exist.
    case noDatabase(path: String)
    /// Another process holds the backup directory's lock.
    case busy(directory: String)
    /// SQLite refused (snapshot, integrity check, reading the schema).
    case storage(String)
    /// `PRAGMA integrity_check` did not say `ok`.
    case integrity(String)
    /// The file does not match its manifest, or has none.
    case manifest(String)
    /// The backup's schema is newer than this binary knows.
    case newerSchema(backup: Int, binary: Int)
    /// The backup's database is not one this build's migrations create (a table missing, an object added, a
    /// foreign migration history).
    case schema(String)
    /// The backup would decompress to more than `backup.restore_max_mb` allows.
    case tooLarge(bytes: Int, limit: Int)
    /// Stopped on request (the worker is shutting down).
    case cancelled

    public var description: String {
        switch self {
        case .file(let error): return error.description
        case .diskFull(let path, let free, let needed):
            return "not enough free space in \(path): \(Self.size(free)) free, \(Self.size(needed)) needed"
        case .noDatabase(let path): return "no database at \(path)"
        case .busy(let directory): return "another backup or restore is running in \(directory)"
        case .storage(let text): return "sqlite: \(text)"
        case .integrity(let text): return "integrity check failed: \(text)"
        case .manifest(let text): return text
        case .newerSchema(let backup, let binary):
            return "the backup has schema version \(backup), newer than this binary's \(binary); use a newer release to restore it"
        case .schema(let text): return "the backup's database is not one this release creates: \(text)"
        case .tooLarge(let bytes, let limit):
            return "the backup decompresses to \(Self.size(bytes)) (its manifest says), more than backup.restore_max_mb allows (\(Self.size(limit))); raise it to restore this backup"
        case .cancelled: return "cancelled: the worker is stopping"
        }
    }

    /// `12 MiB`, or `340 KiB` below 10 MiB.
    static func size(_ bytes: Int) -> String {
        bytes >= 10 << 20 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB"
    }

    /// A short label for the `reason` of `neural_terminal_backup_failures_total`.
    public var reason: String {
        switch self {
        case .file(let error): return error.reason
        case .diskFull: return "disk_full"
        case .storage(let text) where text.contains("full"): return "disk_full"
        case .noDatabase: return "no_database"
        case .busy: return "busy"
        case .storage: return "sqlite"
        case .integrity: return "integrity"
        case .manifest: return "manifest"
        case .newerSchema, .schema: return "schema"
        case .tooLarge: return "too_large"
        case .cancelled: return "cancelled"
        }
    }
}

extension BackupError {
    /// A file operation's failure as a backup's: a held lock, a cancellation and a decompression past the manifest's
    /// size keep their backup meaning (``busy(directory:)``, ``cancelled``, ``manifest(_:)``); the rest is ``file(_:)``.
    public init(_ error: FileError) {
        switch error {
        case .busy(let directory): self = .busy(directory: directory)
        case .cancelled: self = .cancelled
        case .exceedsLimit: self = .manifest(error.description)
        case .io, .zstd: self = .file(error)
        }
    }

    /// `error` as a backup's error: itself, or a ``FileError`` converted; nil for any other error.
    static func converting(_ error: any Error) -> BackupError? {
        if let error = error as? BackupError { return error }
        return (error as? FileError).map(BackupError.init)
    }

    /// Runs `body`, turning a ``FileError`` it throws into a ``BackupError``: the backup API throws one error type.
    static func mapping<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as FileError {
            throw BackupError(error)
        }
    }
}
