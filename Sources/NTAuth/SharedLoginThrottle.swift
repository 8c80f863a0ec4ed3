import NTStorage
import NTSystem

/// The login throttle of appliances sharing one PostgreSQL database: each client's failures, its attempt in flight
/// and its last successful login are rows of `login_throttle`, so every appliance behind a load balancer counts the
/// same failures, holds the same lockout and admits one attempt per client at a time. The decisions are
/// ``LoginRecord``'s, as in the web worker's in-memory throttle (SQLite).
///
/// Each call is one write transaction under the writers' lock (``DatabaseConnection/transaction(_:)``): the read,
/// the decision and the write of one client cannot interleave with another appliance's. Times are wall-clock
/// milliseconds (``EpochInstant``) passed in by the caller, so the appliances' clocks must agree (NTP) as they
/// already must for sessions. A call that throws decided nothing: the caller must refuse the attempt (fail closed).
/// Rows that restrict nothing any more (quiet for ``LoginThrottleSettings/idleAfter`` and without a successful login
/// within ``LoginThrottleSettings/goodStandingFor``) are deleted at most once per
/// ``LoginThrottleSettings/sweepInterval`` by each store.
public actor SharedLoginThrottle {
    /// Every call waits on PostgreSQL: the actor runs on a thread of its own, not on the cooperative pool.
    private let blocking = BlockingExecutor()
    public nonisolated var unownedExecutor: UnownedSerialExecutor { blocking.asUnownedSerialExecutor() }
    private struct Row {
        var record = LoginRecord<EpochInstant>()
        var succeededAt: EpochInstant?
    }

    private let open: @Sendable () throws -> any DatabaseConnection
    private let settings: @Sendable () -> LoginThrottleSettings
    private var database: (any DatabaseConnection)?
    private var lastSweep: EpochInstant?

    /// A store that opens its connection with `open` on first use, and again after a failed open (a failure to
    /// connect is thrown to that call, as any other database error).
    public init(settings: @escaping @Sendable () -> LoginThrottleSettings, open: @escaping @Sendable () throws -> any DatabaseConnection) {
        self.settings = settings
        self.open = open
    }

    /// A store on `connection` (a migrated PostgreSQL database), used by this store alone.
    public init(connection: any DatabaseConnection, settings: @escaping @Sendable () -> LoginThrottleSettings) {
        self.init(settings: settings) { connection }
    }

    /// Whether `client` may try to log in at `now`; an allowed attempt counts as in flight (on every appliance)
    /// until its outcome is recorded or `attemptTimeout` passes.
    public func admit(client: String, now: EpochInstant) throws -> LoginAdmission {
        let policy = settings()
        return try writing(client: client) { db, row in
            try sweepIfDue(db, now: now, policy: policy)
            return row.record.admit(now: now, policy: policy)
        }
    }

    /// The attempt failed (wrong credentials): the next one, on any appliance, must wait longer, or the client is
    /// locked out.
    public func recordFailure(client: String, now: EpochInstant) throws {
        let policy = settings()
        try writing(client: client) { _, row in row.record.recordFailure(now: now, policy: policy) }
    }

    /// The attempt succeeded: the client's failures are forgotten, and it is in good standing from `now`.
    public func recordSuccess(client: String, now: EpochInstant) throws {
        try writing(client: client) { _, row in row = Row(succeededAt: now) }
    }

    /// An admitted attempt that was never checked: it counts neither way, and the client may try again at once.
    public func abandon(client: String) throws {
        try writing(client: client) { _, row in row.record.abandon() }
    }

    /// The client's place in the queue of password checks: -1 after a successful login within
    /// ``LoginThrottleSettings/goodStandingFor``, else its failed logins.
    public func standing(client: String, now: EpochInstant) throws -> Int {
        let db = try connection()
        guard let row = try read(db, client: client) else { return 0 }
        if let success = row.succeededAt, success.duration(to: now) < LoginThrottleSettings.goodStandingFor { return -1 }
        return row.record.failures
    }

    /// How many clients have a row (for tests of the sweep).
    public func clientCount() throws -> Int {
        try connection().scalarInt("SELECT count(*) FROM login_throttle") ?? 0
    }

    /// Reads `client`'s row, lets `change` decide and change it, and writes it back, in one write transaction.
    @discardableResult
    private func writing<T>(client: String, _ change: (any DatabaseConnection, inout Row) throws -> T) throws -> T {
        let db = try connection()
        return try db.transaction {
            let found = try read(db, client: client)
            var row = found ?? Row()
            let result = try change(db, &row)
            if found != nil || row.record != LoginRecord() || row.succeededAt != nil {
                try write(db, client: client, row)
            }
            return result
        }
    }

    private func connection() throws -> any DatabaseConnection {
        if let database { return database }
        let opened = try open()
        database = opened
        return opened
    }

    private func read(_ db: any DatabaseConnection, client: String) throws -> Row? {
        let select = try db.prepare("""
            SELECT failures, last_failure_ms, pending_since_ms, succeeded_at_ms FROM login_throttle WHERE client = ?
            """)
        select.bind(1, client)
        guard try select.step() else { return nil }
        let instant = { (column: Int32) in select.isNull(column) ? nil : EpochInstant(milliseconds: Int64(select.int(column))) }
        return Row(record: LoginRecord(failures: select.int(0), lastFailure: instant(1), pendingSince: instant(2)), succeededAt: instant(3))
    }

    /// Upserts the row; `updated_at_ms` is its latest time (a failure, the attempt in flight, a success), which the
    /// sweep compares: a row whose latest time is older than `idleAfter` restricts nothing.
    private func write(_ db: any DatabaseConnection, client: String, _ row: Row) throws {
        let upsert = try db.prepare("""
            INSERT INTO login_throttle (client, failures, last_failure_ms, pending_since_ms, succeeded_at_ms, updated_at_ms)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (client) DO UPDATE SET failures = excluded.failures, last_failure_ms = excluded.last_failure_ms,
                pending_since_ms = excluded.pending_since_ms, succeeded_at_ms = excluded.succeeded_at_ms,
                updated_at_ms = excluded.updated_at_ms
            """)
        let milliseconds = { (instant: EpochInstant?) in instant.map { Int($0.milliseconds) } }
        upsert.bind(1, client)
        upsert.bind(2, row.record.failures)
        upsert.bind(3, milliseconds(row.record.lastFailure))
        upsert.bind(4, milliseconds(row.record.pendingSince))
        upsert.bind(5, milliseconds(row.succeededAt))
        upsert.bind(6, milliseconds([row.record.lastSeen, row.succeededAt].compactMap { $0 }.max()) ?? 0)
        _ = try upsert.step()
    }

    /// Deletes the rows that restrict nothing and keep no good standing, at most once per sweep interval.
    private func sweepIfDue(_ db: any DatabaseConnection, now: EpochInstant, policy: LoginThrottleSettings) throws {
        if let lastSweep, lastSweep.duration(to: now) < LoginThrottleSettings.sweepInterval, lastSweep <= now { return }
        let delete = try db.prepare("""
            DELETE FROM login_throttle WHERE updated_at_ms < ? AND (succeeded_at_ms IS NULL OR succeeded_at_ms < ?)
            """)
        delete.bind(1, Int(now.advanced(by: .zero - policy.idleAfter).milliseconds))
        delete.bind(2, Int(now.advanced(by: .zero - LoginThrottleSettings.goodStandingFor).milliseconds))
        _ = try delete.step()
        lastSweep = now
    }
}
