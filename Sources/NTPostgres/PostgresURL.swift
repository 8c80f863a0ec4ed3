/// A `postgres://` (or `postgresql://`) URL naming the database the appliance stores in, checked for what the
/// appliance requires of it: a user name (libpq would otherwise ask the system's password database for the
/// current user, which an empty container does not have) and no password (the password comes from a file or the
/// environment, never from the configuration file).
///
/// Everything else — several hosts, `sslmode`, `sslrootcert`, `connect_timeout`, `options` — is libpq's own URI
/// syntax, passed through unchanged.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public let text: String
    /// The user name the URL names (in the authority or as `?user=`).
    public let user: String

    /// Checks `text`; throws a sentence saying what is wrong.
    public init(_ text: String) throws(PostgresURLError) {
        guard let schemeEnd = text.firstRange(of: "://"),
              ["postgres", "postgresql"].contains(text[..<schemeEnd.lowerBound].lowercased()) else {
            throw PostgresURLError("must start with postgres:// or postgresql://")
        }
        let rest = text[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let query = rest.firstIndex(of: "?").map { rest[rest.index(after: $0)...] } ?? ""
        let queryItems = query.split(separator: "&").map { item -> (Substring, Substring) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
        if queryItems.contains(where: { $0.0 == "password" || $0.0 == "passfile" }) {
            throw PostgresURLError("must not hold a password: put it in storage.password_file or \(PostgresURL.passwordVariable)")
        }
        var user = queryItems.first { $0.0 == "user" }.map { String($0.1) } ?? ""
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            if userInfo.contains(":") {
                throw PostgresURLError("must not hold a password: put it in storage.password_file or \(PostgresURL.passwordVariable)")
            }
            if user.isEmpty { user = String(userInfo) }
        }
        guard !user.isEmpty else {
            throw PostgresURLError("must name the database user, e.g. postgres://neural@db.example:5432/neural")
        }
        self.text = text
        self.user = Self.percentDecoded(user)
    }

    /// The environment variable a password may come from instead of `storage.password_file`.
    public static let passwordVariable = "NEURAL_TERMINAL_DATABASE_PASSWORD"

    public var description: String { text }

    /// libpq's connection parameters for this URL: the URL (expanded by libpq), the application name, a connect
    /// timeout unless the URL sets one, a lock timeout (a statement waiting longer for a lock fails with SQLSTATE
    /// 55P03 instead of hanging; it replaces `options` the URL may set) and the password.
    public func parameters(password: String?, applicationName: String, connectTimeoutSeconds: Int = 5,
                           lockTimeoutMs: Int = 5000) -> [(String, String)] {
        var parameters = [("dbname", text), ("application_name", applicationName), ("options", "-c lock_timeout=\(lockTimeoutMs)")]
        if !text.contains("connect_timeout=") { parameters.append(("connect_timeout", String(connectTimeoutSeconds))) }
        if let password { parameters.append(("password", password)) }
        return parameters
    }

    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Why a `postgres://` URL is refused, as a clause ("storage.url \(message)").
public struct PostgresURLError: Error, Sendable, Equatable {
    public let message: String
    init(_ message: String) { self.message = message }
}
