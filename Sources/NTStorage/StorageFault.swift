import CSQLite

/// What a failed storage call means for the person waiting on it, independent of the engine's codes.
///
/// The API answers each with its own status: `busy` and `unavailable` are 503 with `Retry-After` (the request
/// can be repeated unchanged once the cause is gone), `full` is 507, and `failed` (a constraint, a misuse: a bug)
/// is a 500. None of them is the client's fault, so none is a 4xx.
public enum StorageFault: String, Sendable, Equatable {
    /// Another process holds the database's write lock longer than a write waits for it.
    case busy
    /// The disk (or the file system's quota) holding the database is full: nothing more can be written.
    case full
    /// The database file cannot be opened, read or written: permissions, an I/O error, a damaged file.
    case unavailable
    /// Anything else: a bug rather than a condition of the host.
    case failed
}

extension StorageError {
    /// The fault this error stands for (SQLite's primary result code decides, extended codes keeping it in the low
    /// byte; for PostgreSQL its SQLSTATE class).
    public var fault: StorageFault {
        if let sqlState { return Self.fault(sqlState: sqlState) }
        return switch code & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED: .busy
        case SQLITE_FULL: .full
        case SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_PERM,
             SQLITE_NOMEM, SQLITE_PROTOCOL, SQLITE_AUTH:
            .unavailable
        default: .failed
        }
    }
}

extension StorageError {
    /// PostgreSQL's SQLSTATEs by what they mean for the person waiting: a lock or serialisation conflict is `busy`
    /// (repeat it), a full disk `full`, a lost or refused connection, a server shutting down or out of resources
    /// `unavailable`, and so is a database that refuses writes (a read-only transaction: a standby after a
    /// failover, `default_transaction_read_only`) or the role's privileges (SQLite's `READONLY` and `PERM`);
    /// constraint violations and anything else are bugs (`failed`).
    static func fault(sqlState: String) -> StorageFault {
        switch sqlState {
        case "53100": return .full
        case "40001", "40P01", "55P03", "57014": return .busy
        case "25006", "42501": return .unavailable
        case connectionState: return .unavailable
        default: break
        }
        switch sqlState.prefix(2) {
        case "08", "53", "57", "58", "XX": return .unavailable
        default: return .failed
        }
    }
}

extension StorageFault {
    /// What happened, as a clause for a sentence shown to the person waiting ("… could not be stored: REASON").
    public var reason: String {
        switch self {
        case .busy: "the database is locked by another process"
        case .full: "the disk holding the database is full"
        case .unavailable: "the database cannot be read or written"
        case .failed: "a storage error (see the server log)"
        }
    }

    /// The fault behind any error a storage call threw: a ``StorageError``'s own, else `failed`.
    public init(_ error: any Error) {
        self = (error as? StorageError)?.fault ?? .failed
    }
}
