import NTPostgres
import NTSystem
import Synchronization

/// This process as a runner of answers among several appliances sharing one PostgreSQL database (ADR 0021).
///
/// At start it adds a row to `runners` and takes the advisory lock `(ClusterLocks.runnerClass, its id)` in the same
/// transaction, on a connection of its own, and listens on ``stopChannel``. The lock is the runner's life: every
/// other instance reads it (``ClusterLocks/runnerAlive(_:)``) to tell a live runner's streaming answers from a
/// dead one's, which it marks `interrupted`. The connection has no timer: ``ensurePresent()`` — before every turn
/// starts — and ``pump()`` — on each flush tick while answers stream here — notice a lost session (a database
/// restart), connect again (at most once a second), retake the lock until they hold it, and listen again; `pump`
/// also drains the stop requests that arrived. An idle runner costs the database one idle session and this process
/// nothing. The network calls run on a thread of their own (``BlockingWorker``), never on the cooperative pool.
public final class RunnerPresence: Sendable {
    /// The channel other instances send stop requests on: `"<runner id> <message id>"`.
    public static let stopChannel = "neural_terminal_stop"
    /// The runner's id (`runners.id`), stored on every answer it streams (`messages.runner_id`).
    public let runnerID: Int64

    private struct State {
        var link: ClusterConnection
        /// Whether the current session holds the runner's lock and listens; false after a reconnection until the
        /// lock is taken (the server may not have let go of the old session's yet).
        var locked = true
        var listening = true
        /// Stop requests read by ``ensurePresent()``, for the next ``pump()``.
        var pending: [String] = []
        /// After ``close()``: the runner left and never comes back.
        var closed = false
    }
    private let state: Mutex<State>
    private let worker = BlockingWorker()

    /// Registers the runner; throws when the database cannot be reached (the web worker does not start without it:
    /// its answers could not be told alive). Blocks: call it while the worker starts.
    public init(url: PostgresURL, password: String?, instance: String, host: String, pid: Int32,
                applicationName: String) throws(StorageError) {
        let link = ClusterConnection(url: url, password: password, applicationName: applicationName)
        guard let (connection, _) = link.open() else {
            throw StorageError(sqlState: StorageError.connectionState, message: "could not connect to PostgreSQL to register this runner")
        }
        do throws(PostgresError) {
            try connection.execute("BEGIN")
            let row = try connection.query(
                "INSERT INTO runners (instance, host, pid, started_at) VALUES ($1, $2, $3, utc_now_text()) RETURNING id",
                [.text(instance), .text(host), .int(Int(pid))]
            )
            let id = Int64(row.int(row: 0, column: 0))
            guard id > 0, id <= Int64(Int32.max) else { throw PostgresError(sqlState: "22003", message: "runner id \(id) is beyond the lock's key space", connectionLost: false) }
            _ = try connection.query("SELECT pg_advisory_lock($1::int4, $2::int4)", [.int(Int(ClusterLocks.runnerClass)), .int(Int(id))])
            try connection.execute("COMMIT")
            try connection.listen(Self.stopChannel)
            runnerID = id
        } catch {
            throw PostgresDatabase.storageError(error)
        }
        state = Mutex(State(link: link))
    }

    /// Whether the runner is present (its session holds its lock), reconnecting and retaking the lock first when the
    /// session was lost. A turn must not start while it is not: its answer would look dead to every other instance.
    public func ensurePresent() async -> Bool {
        await worker.run { self.keep(drain: false) }.locked
    }

    /// Keeps the runner present and returns the answers (message ids) other instances asked this runner to stop:
    /// those notified, and those whose row says so (`stop_requested_at`, which outlives a lost notification). An
    /// answer may come back more than once until it has stopped.
    public func pump() async -> [String] {
        await worker.run { self.keep(drain: true) }.requests
    }

    /// Reads what arrived on the session (noticing a lost one), reconnects once at once when it was lost, retakes
    /// the lock and the `LISTEN` until they hold, and returns the stop requests (kept for later unless `drain`).
    private func keep(drain: Bool) -> (locked: Bool, requests: [String]) {
        state.withLock { s in
            if s.closed { return (false, []) }
            for _ in 0..<2 {
                guard let (connection, fresh) = s.link.open() else { break }
                if fresh {
                    s.locked = false
                    s.listening = false
                }
                do throws(PostgresError) {
                    if !s.locked {
                        let taken = try connection.query(
                            "SELECT pg_try_advisory_lock($1::int4, $2::int4)", [.int(Int(ClusterLocks.runnerClass)), .int(Int(runnerID))]
                        )
                        s.locked = taken.string(row: 0, column: 0) == "t"
                    }
                    if !s.listening {
                        try connection.listen(Self.stopChannel)
                        s.listening = true
                    }
                    s.pending += try connection.notifications(timeoutMs: 0).compactMap(stopRequest)
                    if drain, s.locked {
                        // The durable path: stops kept on this runner's rows (a notification can be lost).
                        let kept = try connection.query(
                            "SELECT id FROM messages WHERE runner_id = $1 AND status = 'streaming' AND stop_requested_at IS NOT NULL",
                            [.int(Int(runnerID))]
                        )
                        for row in 0..<kept.rowCount { if let id = kept.string(row: row, column: 0) { s.pending.append(id) } }
                    }
                    // Reading may be what showed the session ended (the server's goodbye): then reconnect now.
                    if connection.isConnected { break }
                    s.link.drop()
                } catch {
                    s.link.drop()
                }
            }
            if s.link.connection == nil { s.locked = false }
            let requests = drain ? s.pending : []
            if drain { s.pending.removeAll() }
            return (s.locked, requests)
        }
    }

    /// The answer a stop request addressed to this runner names.
    private func stopRequest(_ notification: PostgresNotification) -> String? {
        let parts = notification.payload.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, Int64(parts[0]) == runnerID else { return nil }
        return String(parts[1])
    }

    /// The payload asking runner `runnerID` to stop the answer `messageID`.
    public static func stopPayload(runnerID: Int64, messageID: String) -> String {
        "\(runnerID) \(messageID)"
    }

    /// Leaves the cluster on a clean exit: the row is deleted and the lock released (closing the connection would
    /// release it too).
    public func close() async {
        await worker.run {
            self.state.withLock { s in
                guard let connection = s.link.connection else { return }
                _ = try? connection.query("DELETE FROM runners WHERE id = $1", [.int(Int(self.runnerID))])
                _ = try? connection.query("SELECT pg_advisory_unlock_all()")
                s.link.drop()
                s.locked = false
                s.closed = true
            }
        }
    }
}
