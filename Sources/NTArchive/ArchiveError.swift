import NTFiles


/// Why an archive run stopped. Nothing is pruned after any of these, and no month file is replaced by one that
/// was not verified.
public enum ArchiveError: Error, Sendable, CustomStringConvertible {
    /// A written file did not read back as written (hash, counts, ids or parse).
    case verification(file: String, problem: String)
    /// An existing month file does not match its manifest and cannot be read through: it is left untouched and
    /// nothing more is added to it until someone moves it aside.
    case damaged(file: String, problem: String)
    /// A file operation or zstd failed.
    case file(FileError)
    /// Another run holds the archive directory's lock.
    case busy(directory: String)
    /// `archive.after_days` is 0.
    case disabled
    /// The worker is stopping.
    case cancelled

    public var description: String {
        switch self {
        case .verification(let file, let problem): return "\(file) did not verify: \(problem)"
        case .damaged(let file, let problem):
            return "\(file) is damaged (\(problem)); it was left as it is: move it aside (and import what it still holds) to archive that month again"
        case .file(let error): return error.description
        case .busy(let directory): return "another archive run is writing to \(directory)"
        case .disabled: return "archiving is off (archive.after_days = 0)"
        case .cancelled: return "cancelled: the worker is stopping"
        }
    }

    /// A short label for `neural_terminal_archive_failures_total{reason}`.
    public var reason: String {
        switch self {
        case .verification: return "verify"
        case .damaged: return "damaged"
        case .file(let error): return error.reason
        case .busy: return "busy"
        case .disabled: return "disabled"
        case .cancelled: return "cancelled"
        }
    }
}
