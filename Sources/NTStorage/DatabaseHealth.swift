import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// Whether the database can take writes now, as a readiness probe needs to know: it opens the file afresh (a
/// connection kept open would not notice the file being replaced, damaged or made unreadable), reads the schema
/// version, asks for the write lock without waiting, and checks the free space of its file system.
///
/// A write lock that is taken is normal for a few milliseconds (every write holds it); ``DatabaseHealthProbe``
/// turns a lock seen taken for longer than a write waits into `locked`.
public enum DatabaseHealth: String, Sendable, Equatable {
    case ok
    /// The write lock was taken at this instant (by a write in progress, or by someone holding it).
    case lockTaken = "lock_taken"
    /// Less than ``DatabaseHealth/minimumFreeBytes`` free where the database lives: writes are about to fail.
    case full
    /// The file is missing, unreadable, not a database, or has no schema.
    case error
    /// The PostgreSQL server does not answer or refuses the login.
    case unreachable

    /// Free space below which the database counts as full: a turn's rows, the WAL growing until its next
    /// checkpoint, and an index page split need a few MiB at most.
    public static let minimumFreeBytes = 4 << 20

    /// One look at the database at `location`: the SQLite file (``check(path:)``), or a new connection to the
    /// PostgreSQL server reading the schema version (no write lock to probe: writers queue on an advisory lock
    /// and give up after the lock timeout, answered `storage_busy`).
    public static func check(location: DatabaseLocation) -> (health: DatabaseHealth, detail: String) {
        switch location {
        case .sqlite(let path):
            return check(path: path)
        case .postgres(let url, let password):
            do {
                let database = try PostgresDatabase(url: url, password: password, applicationName: "neural-terminal readiness")
                guard let version = try database.scalarInt("SELECT MAX(version) FROM schema_migrations"), version > 0 else {
                    return (.error, "no schema")
                }
                return (.ok, "schema version \(version)")
            } catch {
                let fault = StorageFault(error)
                return (fault == .unavailable ? .unreachable : fault == .full ? .full : .error, "\(error)")
            }
        }
    }

    /// One look at the database at `path` (never creates it).
    public static func check(path: String) -> (health: DatabaseHealth, detail: String) {
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        var stats = statvfs()
        if statvfs(directory.isEmpty ? "." : directory, &stats) == 0 {
            let free = Int(stats.f_bavail) * Int(stats.f_frsize)
            if free < minimumFreeBytes { return (.full, "\(free) bytes free on the database's file system") }
        }
        do {
            let database = try SQLiteDatabase(path: path, create: false, busyTimeoutMs: 0, checkpointOnClose: false)
            guard let version = try database.scalarInt("SELECT MAX(version) FROM schema_migrations"), version > 0 else {
                return (.error, "no schema")
            }
            do {
                try database.execute("BEGIN IMMEDIATE")
            } catch where error.fault == .busy {
                return (.lockTaken, "the write lock is taken")
            }
            try database.execute("ROLLBACK")
            return (.ok, "schema version \(version)")
        } catch {
            return (error.fault == .full ? .full : .error, "\(error)")
        }
    }
}

/// ``DatabaseHealth`` over time, for `/ready`: a write lock seen taken on every look for at least `lockedAfter`
/// is reported as `locked` (a write waits that long before it fails); a lock taken once is a write in progress.
public struct DatabaseHealthProbe: Sendable {
    public let lockedAfter: Duration
    private var lockTakenSince: ContinuousClock.Instant?

    public init(lockedAfter: Duration) {
        self.lockedAfter = lockedAfter
    }

    /// `ok`, `locked`, `full`, `error` or `unreachable` (short words: `/ready` is unauthenticated), and the detail for the log.
    public mutating func check(location: DatabaseLocation, now: ContinuousClock.Instant = .now) -> (state: String, detail: String) {
        let (health, detail) = DatabaseHealth.check(location: location)
        guard health == .lockTaken else {
            lockTakenSince = nil
            return (health.rawValue, detail)
        }
        let since = lockTakenSince ?? now
        lockTakenSince = since
        return now - since >= lockedAfter ? ("locked", "the write lock has been taken for \(now - since)") : ("ok", detail)
    }
}
