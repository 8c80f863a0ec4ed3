import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// A `NOTIFY` another session sent on a channel this connection listens to.
public struct PostgresNotification: Sendable, Equatable {
    public let channel: String
    public let payload: String
    /// The process id of the server backend that sent it (this connection's own when it notified itself).
    public let senderPID: Int32
}

extension PostgresConnection {
    /// Starts listening on `channel` (any text; quoted as an identifier).
    public func listen(_ channel: String) throws(PostgresError) {
        try execute("LISTEN \(Self.quotedIdentifier(channel))")
    }

    /// Sends `payload` (at most 8,000 bytes) to every session listening on `channel`, when the current transaction
    /// commits (at once outside one).
    public func notify(_ channel: String, payload: String) throws(PostgresError) {
        _ = try query("SELECT pg_notify($1, $2)", [.text(channel), .text(payload)])
    }

    /// The notifications that arrived, waiting up to `timeoutMs` for the first when none is queued (0: do not
    /// wait). Throws with `connectionLost` when the connection broke while waiting.
    public func notifications(timeoutMs: Int32) throws(PostgresError) -> [PostgresNotification] {
        var found = try drainNotifications()
        if found.isEmpty, timeoutMs > 0, socket >= 0 {
            var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, timeoutMs)
            if ready > 0 { found = try drainNotifications() }
        }
        return found
    }

    private func drainNotifications() throws(PostgresError) -> [PostgresNotification] {
        guard let handle = rawHandle else { throw PostgresError(sqlState: nil, message: "not connected", connectionLost: true) }
        // Twice: a server that ends the session sends its FATAL message and then closes; the first read takes the
        // message (libpq files it as a notice while no query runs), the second sees the end of the stream.
        for _ in 0..<2 {
            guard PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else {
                throw PostgresError(sqlState: nil, message: Self.trimmed(PQerrorMessage(handle)), connectionLost: true)
            }
        }
        var found: [PostgresNotification] = []
        while let notify = PQnotifies(handle) {
            let item = notify.pointee
            found.append(PostgresNotification(
                channel: String(cString: item.relname), payload: item.extra.map { String(cString: $0) } ?? "", senderPID: item.be_pid
            ))
            PQfreemem(notify)
        }
        return found
    }

    /// `name` as a double-quoted SQL identifier.
    public static func quotedIdentifier(_ name: String) -> String {
        "\"" + name.reduce(into: "") { quoted, char in quoted += char == "\"" ? "\"\"" : String(char) } + "\""
    }
}
