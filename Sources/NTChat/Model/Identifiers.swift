import NTLog
import NTSystem

/// Identifiers and timestamps as the database stores them.
public enum Identifiers {
    /// A random UUID (version 4) in lower-case text form.
    public static func uuid() -> String {
        var bytes = SecureRandom.bytes(16)
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(0x2D) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
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
