/// Correlation ids tie together every log line of one request, the upstream call (`X-Request-ID`) and the
/// response to the browser.

/// A new correlation id: 16 random bytes from the system's secure generator as 32 lowercase hex characters.
/// Unguessable, so ids in logs or URLs reveal nothing about other requests.
public func makeCorrelationID() -> String {
    var generator = SystemRandomNumberGenerator()
    var bytes: [UInt8] = []
    bytes.reserveCapacity(32)
    for _ in 0..<2 {
        var word = generator.next() as UInt64
        for _ in 0..<8 {
            let byte = UInt8(truncatingIfNeeded: word)
            bytes.append(hexDigit(byte >> 4))
            bytes.append(hexDigit(byte & 0x0F))
            word >>= 8
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Whether `id`, typically taken from an incoming `X-Request-ID` header, is safe to adopt: 1–128 characters
/// of `A–Z a–z 0–9 . _ : -`. Anything else (spaces, quotes, control characters, very long values) must be
/// replaced by a fresh `makeCorrelationID()` rather than echoed into logs and headers.
public func isValidCorrelationID(_ id: String) -> Bool {
    let bytes = id.utf8
    guard (1...128).contains(bytes.count) else { return false }
    return bytes.allSatisfy { byte in
        isAlphanumeric(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
    }
}

/// The incoming id when valid, otherwise a new one: what a server should use for a request whose
/// `X-Request-ID` header is `header` (nil when absent).
public func correlationID(adopting header: String?) -> String {
    if let header, isValidCorrelationID(header) { return header }
    return makeCorrelationID()
}
