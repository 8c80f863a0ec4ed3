/// A byte buffer for one human-readable log line (`TextLogLine`), escaping whatever could break or disguise it.
///
/// Escaped everywhere (message, keys and values): C0 control characters (`\n`, `\r`, `\t`, the rest as
/// `\u00XX`, ESC included, so no text can move the cursor, recolour or clear a terminal), DEL and the C1 range
/// (U+0080–U+009F), the Unicode line and paragraph separators and the bidirectional controls (U+200E/F,
/// U+202A–U+202E, U+2066–U+2069), which could make a line look like another. A key or value is written bare when
/// it is non-empty and holds no space, `"`, `=` or character that needs escaping; otherwise it is quoted with `"`
/// and `\` escaped as well. The message is written bare, escaped but never quoted.
struct TextLineBuffer {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends trusted text as is (the timestamp, the level, spaces).
    mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Appends the message: escaped, not quoted.
    mutating func message(_ text: String) {
        appendEscaped(text, quoted: false)
    }

    /// Appends a key or a value: bare when that is unambiguous, else quoted.
    mutating func token(_ text: String) {
        if Self.needsQuotes(text) {
            bytes.append(UInt8(ascii: "\""))
            appendEscaped(text, quoted: true)
            bytes.append(UInt8(ascii: "\""))
        } else {
            bytes.append(contentsOf: text.utf8)
        }
    }

    /// Appends the final newline; the buffer then holds one complete line.
    mutating func endLine() {
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Whether `text` must be quoted to read as one key or value.
    static func needsQuotes(_ text: String) -> Bool {
        text.isEmpty || text.unicodeScalars.contains { scalar in
            scalar == " " || scalar == "\"" || scalar == "=" || scalar.properties.isWhitespace || needsEscape(scalar)
        }
    }

    /// Characters that are never written as themselves.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    private mutating func appendEscaped(_ text: String, quoted: Bool) {
        for scalar in text.unicodeScalars {
            if quoted && (scalar == "\"" || scalar == "\\") {
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(scalar.value))
            } else if Self.needsEscape(scalar) {
                appendEscape(scalar)
            } else if scalar.isASCII {
                bytes.append(UInt8(scalar.value))
            } else {
                UTF8.encode(scalar) { bytes.append($0) }
            }
        }
    }

    /// `\n`, `\r`, `\t`, or `\uXXXX` (four lowercase hex digits, as in JSON).
    private mutating func appendEscape(_ scalar: Unicode.Scalar) {
        bytes.append(UInt8(ascii: "\\"))
        switch scalar {
        case "\n": bytes.append(UInt8(ascii: "n"))
        case "\r": bytes.append(UInt8(ascii: "r"))
        case "\t": bytes.append(UInt8(ascii: "t"))
        default:
            bytes.append(UInt8(ascii: "u"))
            for shift in stride(from: 12, through: 0, by: -4) {
                bytes.append(hexDigit(UInt8((scalar.value >> UInt32(shift)) & 0x0F)))
            }
        }
    }
}
