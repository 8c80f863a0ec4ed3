import NTPostgres
import NTSystem
import Synchronization

/// Leadership of one kind of scheduled job among the appliances sharing a PostgreSQL database (ADR 0021): the
/// instance whose session holds the advisory lock `(ClusterLocks.leaderClass, job)` runs the job; the others skip
/// it. The leader keeps the lock for as long as its connection lives, so a job is not run twice by two instances
/// whose schedules are a second apart, and when the leader dies (its connection closes) the next instance that asks
/// takes over. On SQLite there is one instance: it always leads.
public final class LeaderLock: Sendable {
    /// The kinds of job, each led separately (they run in different workers).
    public enum Job: Int32, Sendable {
        /// The maintenance worker's: monthly archives, and the sweep of dead instances' answers and reservations.
        case maintenance = 1
        /// The web worker's: the models catalog's refresh, the cost reconciliation left open.
        case web = 2
    }

    private struct State {
        var link: ClusterConnection
        var held = false
    }
    private let state: Mutex<State>?
    private let job: Job
    /// The thread the network calls run on; nil on SQLite (nothing to call).
    private let worker: BlockingWorker?

    public init(location: DatabaseLocation, job: Job, applicationName: String) {
        self.job = job
        if case .postgres(let url, let password) = location {
            state = Mutex(State(link: ClusterConnection(url: url, password: password, applicationName: applicationName)))
            worker = BlockingWorker()
        } else {
            state = nil
            worker = nil
        }
    }

    /// Whether this process leads now: takes the lock when it is free, and checks that a lock it holds still is
    /// (its connection alive). False while the database is unreachable. The network calls run on a thread of their
    /// own.
    public func lead() async -> Bool {
        guard let worker else { return true }
        return await worker.run { self.leadNow() }
    }

    private func leadNow() -> Bool {
        let led = state?.withLock { s -> Bool in
            guard let (connection, fresh) = s.link.open() else {
                s.held = false
                return false
            }
            if fresh { s.held = false }
            do throws(PostgresError) {
                if s.held {
                    _ = try connection.query("SELECT 1")
                } else {
                    let taken = try connection.query(
                        "SELECT pg_try_advisory_lock($1::int4, $2::int4)", [.int(Int(ClusterLocks.leaderClass)), .int(Int(job.rawValue))]
                    )
                    s.held = taken.string(row: 0, column: 0) == "t"
                }
                return s.held
            } catch {
                s.link.drop()
                s.held = false
                return false
            }
        }
        return led ?? true
    }

    /// Gives leadership up on a clean exit, so another instance takes it at its next tick.
    public func resign() async {
        guard let worker else { return }
        await worker.run { self.resignNow() }
    }

    private func resignNow() {
        state?.withLock { s in
            if s.held, let connection = s.link.connection {
                _ = try? connection.query("SELECT pg_advisory_unlock($1::int4, $2::int4)", [.int(Int(ClusterLocks.leaderClass)), .int(Int(job.rawValue))])
            }
            s.held = false
            s.link.drop()
        }
    }
}
