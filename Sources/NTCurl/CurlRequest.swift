/// One HTTP request for ``CurlClient``.
///
/// Redirects are not followed (a 3xx is the final response). A `Duration` of `.zero` disables that timeout.
public struct CurlRequest: Sendable {
    /// Absolute `http://` or `https://` URL.
    public var url: String
    /// Request method; `GET` and `POST` are native, anything else is sent as a custom method.
    public var method: String
    /// Header fields in order. An empty value sends the header with no value; CR or LF in a name or value is
    /// rejected (the transfer ends with a `.transport` error before anything is sent).
    public var headers: [(String, String)]
    /// Request body, sent with a `Content-Length`; `nil` sends none.
    public var body: [UInt8]?
    /// Limit for name resolution plus the TCP and TLS handshakes (`CURLOPT_CONNECTTIMEOUT_MS`).
    public var connectTimeout: Duration
    /// Limit between the request being sent and the first byte of the response body.
    public var firstByteTimeout: Duration
    /// Limit on silence between two body chunks once the body has started.
    public var idleTimeout: Duration
    /// Limit on the whole transfer (`CURLOPT_TIMEOUT_MS`).
    public var totalTimeout: Duration
    /// PEM file of trusted CA certificates; `nil` uses the built-in default
    /// `/etc/ssl/certs/ca-certificates.crt` (`CURLOPT_CAINFO` is only set when given).
    public var caFile: String?
    /// Bytes libcurl reads from the socket at a time (`CURLOPT_BUFFERSIZE`, 1,024 to 524,288); `nil` keeps
    /// libcurl's 16 KiB. The buffer lives as long as the transfer: a long stream of small events needs less.
    public var receiveBufferSize: Int?

    /// Creates a request. The default timeouts suit a streamed chat completion: reasoning models may think for
    /// minutes, but OpenRouter sends keep-alive comments as body bytes meanwhile.
    public init(
        url: String,
        method: String = "GET",
        headers: [(String, String)] = [],
        body: [UInt8]? = nil,
        connectTimeout: Duration = .seconds(10),
        firstByteTimeout: Duration = .seconds(120),
        idleTimeout: Duration = .seconds(60),
        totalTimeout: Duration = .seconds(1800),
        caFile: String? = nil
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.firstByteTimeout = firstByteTimeout
        self.idleTimeout = idleTimeout
        self.totalTimeout = totalTimeout
        self.caFile = caFile
    }
}

/// What a streamed transfer delivers, in this order: at most one `.head`, any number of `.body` chunks, then
/// exactly one `.end`.
public enum CurlEvent: Sendable {
    /// Status and header fields of the final response (1xx interim responses are skipped). HTTP/2 names arrive
    /// in lower case; compare names case-insensitively, e.g. with ``CurlHeaders/value(of:in:)``.
    case head(status: Int, headers: [(String, String)])
    /// The next bytes of the (decompressed) response body.
    case body([UInt8])
    /// The end of the transfer: `nil` when the response was received completely.
    case end(CurlError?)
}

/// Why a transfer failed.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    /// The failure class, one per timeout so that callers can word their messages and metrics.
    public enum Kind: Sendable, Hashable {
        /// Could not resolve the host or proxy, or the connection was refused.
        case connect
        /// The connect phase (resolve, TCP, TLS) exceeded `connectTimeout`.
        case timeoutConnect
        /// No body byte arrived within `firstByteTimeout` after the request was sent.
        case timeoutFirstByte
        /// No body byte arrived for `idleTimeout` between chunks.
        case timeoutIdle
        /// The whole transfer exceeded `totalTimeout`.
        case timeoutTotal
        /// Any other failure: connection reset, malformed response, bad request, body too large, …
        case transport
        /// The consumer stopped listening, or the client shut down.
        case cancelled
        /// The TLS handshake or certificate verification failed.
        case tls
    }

    /// The failure class.
    public var kind: Kind
    /// Human-readable detail, from libcurl's error buffer where it has one.
    public var message: String
    /// The `CURLcode` behind the failure, or 0 when NTCurl itself ended the transfer.
    public var curlCode: Int32

    /// Creates an error.
    public init(kind: Kind, message: String, curlCode: Int32 = 0) {
        self.kind = kind
        self.message = message
        self.curlCode = curlCode
    }

    /// `kind: message (curl code N)`.
    public var description: String {
        curlCode == 0 ? "\(kind): \(message)" : "\(kind): \(message) (curl code \(curlCode))"
    }
}

/// Helpers for header lists as delivered by ``CurlEvent/head(status:headers:)``.
public enum CurlHeaders {
    /// The value of the first header named `name`, compared case-insensitively (ASCII), or `nil`.
    public static func value(of name: String, in headers: [(String, String)]) -> String? {
        let wanted = Array(name.utf8).map(lowercased)
        for (key, value) in headers where key.utf8.count == wanted.count {
            if zip(key.utf8, wanted).allSatisfy({ lowercased($0) == $1 }) { return value }
        }
        return nil
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte + 32 : byte
    }
}
