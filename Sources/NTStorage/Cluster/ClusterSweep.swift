/// What an instance that died leaves behind in a shared PostgreSQL database, cleared by any other (ADR 0021): its
/// streaming answers become `interrupted` with the text flushed so far (as a crashed worker's do on one machine),
/// its budget reservations are released, and its `runners` row is deleted. Run by the maintenance leader on every
/// tick, by a web worker when it starts, and on demand for one conversation (``orphanCondition``).
public enum ClusterSweep {
    /// What one sweep cleared.
    public struct Report: Sendable, Equatable {
        public var interrupted = 0
        public var reservations = 0
        public var runners = 0
    }

    /// The error stored on an answer whose runner died.
    public static let interruptedError = "the process streaming this answer stopped before it ended"

    /// True for a `messages` row still `streaming` whose runner is not alive (or unknown: a row copied in by
    /// `migrate`, or written before runners existed).
    public static let orphanCondition = "status = 'streaming' AND (runner_id IS NULL OR NOT \(ClusterLocks.runnerAlive("runner_id")))"

    /// Clears everything dead runners left, in one write transaction (PostgreSQL only). With `runnerless` false,
    /// streaming answers without a runner are left to the caller (a web worker starting: it judges those by their
    /// worker's pid on its own host, as on one machine).
    public static func run(_ db: any DatabaseConnection, runnerless: Bool = true) throws -> Report {
        try db.transaction {
            var report = Report()
            report.interrupted = try interruptOrphans(db, runnerless: runnerless)
            try db.execute("DELETE FROM budget_reservations WHERE NOT \(ClusterLocks.runnerAlive("runner_id"))")
            report.reservations = db.changes
            try db.execute("DELETE FROM runners WHERE NOT \(ClusterLocks.runnerAlive("id"))")
            report.runners = db.changes
            return report
        }
    }

    /// Marks orphaned answers `interrupted`, keeping their text: every one, or those `filter` names (a condition on
    /// `messages` whose one parameter `?1` is `value`: one answer, one conversation). PostgreSQL only; returns how
    /// many. With `runnerless` false, answers without a runner are not judged here.
    @discardableResult
    public static func interruptOrphans(_ db: any DatabaseConnection, where filter: String? = nil, _ value: String? = nil,
                                        runnerless: Bool = true) throws -> Int {
        let orphans = runnerless ? orphanCondition : "status = 'streaming' AND runner_id IS NOT NULL AND NOT \(ClusterLocks.runnerAlive("runner_id"))"
        let interrupt = try db.cachedStatement("""
            UPDATE messages SET status = 'interrupted', worker_pid = NULL, runner_id = NULL, updated_at = utc_now_text(),
              error = COALESCE(error, ?2)
            WHERE \(filter.map { "(\($0)) AND " } ?? "")\(orphans)
            """)
        interrupt.bind(1, value)
        interrupt.bind(2, interruptedError)
        _ = try interrupt.step()
        return db.changes
    }
}
