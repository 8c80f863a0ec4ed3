/// A failed PostgreSQL call: the server's SQLSTATE and message, or libpq's own message when the call never reached
/// the server (no connection, a lost connection: `sqlState` is nil and `connectionLost` is true).
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// The five-character SQLSTATE, e.g. `23505` for a unique violation; nil when the server did not answer.
    public let sqlState: String?
    /// The primary message, without libpq's "ERROR:" prefix or trailing newline.
    public let message: String
    /// The connection is gone (refused, reset, the server shut down): the next call reconnects.
    public let connectionLost: Bool

    public init(sqlState: String?, message: String, connectionLost: Bool = false) {
        self.sqlState = sqlState
        self.message = message
        self.connectionLost = connectionLost
    }

    public var description: String {
        if let sqlState { return "postgresql error \(sqlState): \(message)" }
        return "postgresql: \(message)"
    }

    /// The SQLSTATE class, its first two characters (`08` connection exception, `40` transaction rollback, `53`
    /// insufficient resources, `57` operator intervention, `23` integrity constraint violation).
    public var sqlStateClass: String? { sqlState.map { String($0.prefix(2)) } }
}
