import FoundationEssentials

/// The body of an HTTP error from the upstream, before any stream started:
/// `{"error": {"code": 429, "message": "…", "metadata": {…}}}` at OpenRouter (the code equals the status),
/// `{"error": "…"}` at Ollama, a top-level `message` at some OpenAI-compatible servers.
public struct UpstreamErrorBody: Sendable, Decodable {
    let error: WireError?
    let message: String?

    /// Reads an error response. Never fails: a body that is not one of the known shapes (an HTML page
    /// from a proxy, an empty body) becomes the status as code and the start of the body as message.
    /// The result's `httpStatus` is always `httpStatus`, whatever the body says.
    public static func parse(_ bytes: [UInt8], httpStatus: Int) -> StreamError {
        let status = String(httpStatus)
        let body = try? JSONDecoder().decode(UpstreamErrorBody.self, from: Data(bytes))
        if let error = body?.error {
            return error.streamError(fallbackCode: status, fallbackMessage: fallbackMessage(bytes, httpStatus), httpStatus: httpStatus)
        }
        if let message = body?.message, !message.isEmpty {
            return StreamError(code: status, message: message, httpStatus: httpStatus)
        }
        return StreamError(code: status, message: fallbackMessage(bytes, httpStatus), httpStatus: httpStatus)
    }

    /// Whether a request that failed this way may be tried again (after a pause): 408, 429, 500, 502, 503,
    /// 504, and any status ≤ 0, which stands for a transport error (no HTTP response: refused, reset,
    /// timed out). Retry only before the first streamed byte reached the user.
    public static func isRetryable(status: Int) -> Bool {
        switch status {
        case ...0, 408, 429, 500, 502, 503, 504: true
        default: false
        }
    }

    /// The pause a `Retry-After` header asks for, in seconds. Reads delta-seconds (`"120"`, and leniently
    /// `"1.5"`); returns `nil` for an absent, negative or unreadable value and for the HTTP-date form,
    /// which this appliance does not parse (the caller then uses its own backoff). Clamp the result.
    public static func retryAfterSeconds(_ header: String?) -> Double? {
        guard let header else { return nil }
        let text = header.utf8.drop { $0 == 0x20 || $0 == 0x09 }
        let trimmed = text.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
        guard let first = trimmed.first, first >= 0x30, first <= 0x39,
            trimmed.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E })
        else { return nil }
        guard let seconds = Double(String(decoding: trimmed, as: UTF8.self)), seconds.isFinite else { return nil }
        return seconds
    }

    /// The first 300 bytes of the body, cut at a character boundary, or `HTTP <status>` for an empty body.
    static func fallbackMessage(_ bytes: [UInt8], _ status: Int, limit: Int = 300) -> String {
        var end = min(bytes.count, limit)
        if end < bytes.count {
            while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }  // do not split a UTF-8 sequence
        }
        let text = String(decoding: bytes[..<end], as: UTF8.self).trimmingWhitespace
        if text.isEmpty { return "HTTP \(status)" }
        return end < bytes.count ? text + "…" : text
    }
}

extension String {
    fileprivate var trimmingWhitespace: String {
        let scalars = unicodeScalars.drop { $0.properties.isWhitespace }.reversed().drop { $0.properties.isWhitespace }
        return String(String.UnicodeScalarView(scalars.reversed()))
    }
}
