import NTLog

/// Identifiers and timestamps as the database stores them.
public enum Identifiers {
    /// A random UUID (version 4) in lower-case text form.
    public static func uuid() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        let chars = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(chars[$0]) }.joined(separator: "-")
    }

    /// Whether `text` looks like an id this module made (so a path parameter can be refused early with a 404).
    public static func isValid(_ text: String) -> Bool {
        text.utf8.count == 36 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || $0 == 45 }
    }

    /// Now, as RFC 3339 UTC with milliseconds (sorts as text).
    public static func now() -> String {
        LogTimestamp.now().rfc3339
    }
}
