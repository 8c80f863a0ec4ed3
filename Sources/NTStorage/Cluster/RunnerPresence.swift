import NTPostgres
import Synchronization

/// This process as a runner of answers among several appliances sharing one PostgreSQL database (ADR 0021).
///
/// At start it adds a row to `runners` and takes the advisory lock `(ClusterLocks.runnerClass, its id)` in the same
/// transaction, on a connection of its own, and listens on ``stopChannel``. The lock is the runner's life: every
/// other instance reads it (``ClusterLocks/runnerAlive(_:)``) to tell a live runner's streaming answers from a
/// dead one's, which it marks `interrupted`. The connection has no thread of its own: ``pump()`` — called on each
/// flush tick while answers stream here, and only then — drains the stop requests that arrived and, after a lost
/// connection (a database restart), connects again, retakes the lock and listens again. An idle runner costs the
/// database one idle session and this process nothing.
public final class RunnerPresence: Sendable {
    /// The channel other instances send stop requests on: `"<runner id> <message id>"`.
    public static let stopChannel = "neural_terminal_stop"
    /// The runner's id (`runners.id`), stored on every answer it streams (`messages.runner_id`).
    public let runnerID: Int64
    private let link: Mutex<ClusterConnection>

    /// Registers the runner; throws when the database cannot be reached (the web worker does not start without it:
    /// its answers could not be told alive).
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
        self.link = Mutex(link)
    }

    /// Keeps the runner present and returns the answers (message ids) other instances asked this runner to stop. Blocks on
    /// the network for at most a reconnection: call it off the event loop.
    public func pump() -> [String] {
        link.withLock { link -> [String] in
            guard let (connection, fresh) = link.open() else { return [] }
            do throws(PostgresError) {
                if fresh {
                    // The old session is gone, and its lock with it (unless the server has not noticed yet: then
                    // this try fails, and the next tick tries again once that session is closed).
                    _ = try connection.query("SELECT pg_try_advisory_lock($1::int4, $2::int4)", [.int(Int(ClusterLocks.runnerClass)), .int(Int(runnerID))])
                    try connection.listen(Self.stopChannel)
                }
                return try connection.notifications(timeoutMs: 0).compactMap(stopRequest)
            } catch {
                link.drop()
                return []
            }
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
    public func close() {
        link.withLock { link in
            guard let connection = link.connection else { return }
            _ = try? connection.query("DELETE FROM runners WHERE id = $1", [.int(Int(runnerID))])
            _ = try? connection.query("SELECT pg_advisory_unlock_all()")
            link.drop()
        }
    }
}
