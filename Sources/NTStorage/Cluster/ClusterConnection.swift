import NTPostgres

/// A PostgreSQL connection of the cluster's own (a runner's presence, a leader's lock), kept apart from the
/// repositories' connections because what it holds (a session advisory lock, a `LISTEN`) lasts as long as the
/// session. Not thread-safe: its owner serialises its use.
final class ClusterConnection: @unchecked Sendable {
    private let parameters: [(String, String)]
    private(set) var connection: PostgresConnection?
    /// When the last attempt to connect failed: the next is not made for ``retryAfter``.
    private var lastFailure: ContinuousClock.Instant?
    static let retryAfter = Duration.seconds(1)

    init(url: PostgresURL, password: String?, applicationName: String) {
        parameters = url.parameters(password: password, applicationName: applicationName, connectTimeoutSeconds: 3).map {
            $0.0 == "options" ? ($0.0, $0.1 + " " + ClusterLocks.keepaliveOptions) : $0
        }
    }

    /// The connection, opening a new one when there is none (at most once per ``retryAfter`` after a failure);
    /// `fresh` is true when it was opened by this call, so what the session held must be taken again.
    func open() -> (connection: PostgresConnection, fresh: Bool)? {
        if let connection, connection.isConnected { return (connection, false) }
        connection = nil
        if let lastFailure, ContinuousClock.now - lastFailure < Self.retryAfter { return nil }
        do {
            let opened = try PostgresConnection(parameters: parameters)
            connection = opened
            lastFailure = nil
            return (opened, true)
        } catch {
            lastFailure = .now
            return nil
        }
    }

    /// Forgets a connection that failed: the next ``open()`` makes a new one.
    func drop() { connection = nil }
}
