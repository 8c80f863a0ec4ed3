import HTTPTypes
import NIOHTTP1

/// How the server answers a request whose HTTP/1.1 framing is broken: a bad chunk size, a chunk extension or
/// header block past the decoder's limits, a body cut short by a half-close, a `Content-Length` that does not parse.
///
/// The client sent something no handler can act on, so it is a client error (4xx, never a 500) with the JSON error
/// shape every other error has, and an event worth a debug line, not an error-level alert an attacker can raise at
/// will. The connection is closed after the answer: the decoder cannot find the next request's start.
public enum MalformedRequest {
    /// 431 for a header block past the limits, 400 for everything else.
    public static func status(for error: HTTPParserError) -> HTTPResponse.Status {
        error == .headerOverflow ? .requestHeaderFieldsTooLarge : .badRequest
    }

    /// The JSON error `code` for `error`.
    public static func code(for error: HTTPParserError) -> String {
        error == .headerOverflow ? "headers_too_large" : "malformed_request"
    }

    /// A sentence for the client, naming what was wrong without echoing any of its bytes.
    public static func message(for error: HTTPParserError) -> String {
        switch error {
        case .headerOverflow: "the request's header block (or a chunk extension) is larger than the server accepts"
        case .invalidChunkSize: "the request's chunked body has an invalid or oversized chunk size"
        case .invalidEOFState, .closedConnection: "the request ended before its body was complete"
        case .invalidContentLength, .unexpectedContentLength: "the request's Content-Length is invalid"
        default: "the request is not valid HTTP/1.1 (\(error))"
        }
    }

    /// The JSON body, as bytes (the connection-level handler writes it without the router).
    public static func body(for error: HTTPParserError) -> String {
        // The messages are fixed sentences and case names: nothing to escape.
        #"{"error":{"code":""# + code(for: error) + #"","message":""# + message(for: error) + #""}}"#
    }
}
