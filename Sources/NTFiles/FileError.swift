#if canImport(Glibc)
import Glibc
#endif

/// Why a file operation or a zstd stream failed. The backup, archive and import code around these utilities wraps
/// it in its own error (``description`` is the sentence, ``reason`` the label of a failure metric).
public enum FileError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A system call failed (`open`, `write`, `rename`, ...), with `errno`'s text.
    case io(operation: String, path: String, errno: Int32)
    /// Another process holds the directory's lock (``DirectoryLock``).
    case busy(directory: String)
    /// libzstd refused (a corrupt or truncated frame, a checksum mismatch).
    case zstd(String)
    /// A decompression would have written more than the caller's limit; it stopped there.
    case exceedsLimit(path: String, limit: Int)
    /// Stopped on request (`shouldContinue` said no).
    case cancelled

    public var description: String {
        switch self {
        case .io(let operation, let path, let code):
            let text = strerror(code).map { String(cString: $0) } ?? "errno \(code)"
            return "\(operation) \(path): \(text)"
        case .busy(let directory): return "another process holds the lock on \(directory)"
        case .zstd(let text): return "zstd: \(text)"
        case .exceedsLimit(let path, let limit):
            return "size mismatch: \(path) decompresses to more than the \(limit) bytes expected; stopped there"
        case .cancelled: return "cancelled: the worker is stopping"
        }
    }

    /// A short label for the `reason` of a failure metric: `disk_full` (`ENOSPC`, `EDQUOT`), `io`, `busy`, `zstd`,
    /// `too_large` or `cancelled`.
    public var reason: String {
        switch self {
        case .io(_, _, let code) where code == ENOSPC || code == EDQUOT: return "disk_full"
        case .io: return "io"
        case .busy: return "busy"
        case .zstd: return "zstd"
        case .exceedsLimit: return "too_large"
        case .cancelled: return "cancelled"
        }
    }
}
