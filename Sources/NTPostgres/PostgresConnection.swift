import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// One PostgreSQL connection through libpq (ADR 0019). Not thread-safe: its owner serialises its use (an actor, or
/// one task), as with a SQLite connection. Calls block until the server answers, so they must not run on an event
/// loop.
///
/// A connection that broke (the server restarted, the network dropped) is re-established by the next call: the call
/// that saw it break throws a ``PostgresError`` with `connectionLost`, and the one after reconnects, so an
/// appliance recovers when its database comes back without being restarted.
public final class PostgresConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// The libpq connection, for the extensions in other files (nil while disconnected).
    var rawHandle: OpaquePointer? { handle }
    private let keywords: [String]
    private let values: [String]

    /// Connects with libpq's keyword/value parameters (`host`, `port`, `user`, `dbname`, `password`, `sslmode`, …);
    /// a `dbname` holding a `postgres://` URL is expanded by libpq itself, and the parameters after it override it.
    /// Throws when the server cannot be reached or refuses the login.
    public init(parameters: [(String, String)]) throws(PostgresError) {
        keywords = parameters.map(\.0)
        values = parameters.map(\.1)
        handle = nil
        try connect()
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// The server's version as a number, e.g. 150018 for 15.18 (0 when not connected).
    public var serverVersion: Int { handle.map { Int(PQserverVersion($0)) } ?? 0 }

    /// The version of the linked libpq, e.g. 150018.
    public static var libraryVersion: Int { Int(PQlibVersion()) }

    /// Whether the connection is up as far as libpq knows (it learns of a broken one at the next call).
    public var isConnected: Bool { handle.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// The connection's socket, for waiting on notifications; -1 when not connected.
    public var socket: Int32 { handle.map { PQsocket($0) } ?? -1 }

    /// Runs one or more statements without parameters (a migration, `BEGIN`, `LISTEN x`); returns the last
    /// statement's result (its rows, its count of changed rows).
    @discardableResult
    public func execute(_ sql: String) throws(PostgresError) -> PostgresResult {
        let conn = try connected()
        return try check(PQexec(conn, sql), conn)
    }

    /// Runs one statement with `$1`, `$2`, … bound to `parameters`, and returns its rows.
    public func query(_ sql: String, _ parameters: [PostgresValue] = []) throws(PostgresError) -> PostgresResult {
        let conn = try connected()
        let types = parameters.map(\.typeOID)
        let texts = parameters.map(\.text)
        let result = Self.withCStrings(texts) { pointers in
            PQexecParams(conn, sql, Int32(parameters.count), types, pointers, nil, nil, 0)
        }
        return try check(result, conn)
    }

    /// Drops the connection and connects again (after a failure the caller knows left it unusable).
    public func reconnect() throws(PostgresError) {
        if let handle { PQfinish(handle) }
        handle = nil
        try connect()
    }

    // MARK: internals

    private func connect() throws(PostgresError) {
        let conn = Self.withCStrings(keywords) { keys in
            Self.withCStrings(values) { vals in
                PQconnectdbParams(keys + [nil], vals + [nil], 1)
            }
        }
        guard let conn else { throw PostgresError(sqlState: nil, message: "out of memory", connectionLost: true) }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(conn))
            PQfinish(conn)
            throw PostgresError(sqlState: nil, message: message, connectionLost: true)
        }
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        handle = conn
    }

    /// The live connection, reconnecting first when the last call found it broken.
    private func connected() throws(PostgresError) -> OpaquePointer {
        if let handle, PQstatus(handle) == CONNECTION_OK { return handle }
        try reconnect()
        return handle!
    }

    private func check(_ result: OpaquePointer?, _ conn: OpaquePointer) throws(PostgresError) -> PostgresResult {
        guard let result else {
            throw PostgresError(sqlState: nil, message: Self.trimmed(PQerrorMessage(conn)), connectionLost: PQstatus(conn) != CONNECTION_OK)
        }
        let wrapped = PostgresResult(handle: result)
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return wrapped
        default:
            let state = PQresultErrorField(result, Self.field("C")).map { String(cString: $0) }
            let primary = PQresultErrorField(result, Self.field("M")).map { String(cString: $0) }
            let lost = PQstatus(conn) != CONNECTION_OK
            throw PostgresError(
                sqlState: state, message: primary ?? Self.trimmed(PQerrorMessage(conn)),
                connectionLost: lost || state.map { $0.hasPrefix("08") || $0 == "57P01" || $0 == "57P02" || $0 == "57P03" } ?? lost
            )
        }
    }

    private static func field(_ code: Unicode.Scalar) -> Int32 { Int32(code.value) }

    static func trimmed(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown error" }
        var message = String(cString: text)
        while message.last?.isNewline == true { message.removeLast() }
        return message.isEmpty ? "unknown error" : message
    }

    /// Calls `body` with C strings for `strings` (nil stays nil) that live until it returns.
    static func withCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let owned: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } ?? nil }
        defer { for pointer in owned { free(pointer) } }
        return body(owned.map { UnsafePointer($0) })
    }

    static func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        withCStrings(strings.map { Optional($0) }, body)
    }
}
