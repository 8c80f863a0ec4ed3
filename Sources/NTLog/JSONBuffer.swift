/// A byte buffer for writing one JSON object by hand, without Foundation.
///
/// Strings are escaped so that nothing in them can end the line or the string: `"` and `\` are escaped,
/// `\n`, `\r` and `\t` get their short forms, and every other control character below U+0020 becomes
/// `\u00XX`. Everything else, multi-byte UTF-8 included, is copied as is (a Swift `String` is always valid
/// UTF-8, so the output is too).
struct JSONBuffer {
    private(set) var bytes: [UInt8] = []
    /// Whether the object being written has no member yet (decides whether a comma is needed).
    private var atFirstMember = true

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Opens an object.
    mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        atFirstMember = true
    }

    /// Closes the innermost object.
    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        atFirstMember = false
    }

    /// Opens an array.
    mutating func beginArray() {
        bytes.append(UInt8(ascii: "["))
        atFirstMember = true
    }

    /// Closes the innermost array.
    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        atFirstMember = false
    }

    /// Writes the comma before an array element when needed.
    mutating func beginElement() {
        if !atFirstMember { bytes.append(UInt8(ascii: ",")) }
        atFirstMember = false
    }

    /// Writes `,"key":` (the comma only when needed); the caller then writes the value.
    mutating func key(_ key: String) {
        beginElement()
        string(key)
        bytes.append(UInt8(ascii: ":"))
        atFirstMember = true  // the value that follows is not a member of its own
    }

    /// Writes a quoted, escaped JSON string.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { appendEscaped($0) }
        bytes.append(UInt8(ascii: "\""))
        atFirstMember = false
    }

    /// Writes bytes that are already valid JSON (numbers, a pre-formatted string with its quotes).
    mutating func raw(_ value: some Sequence<UInt8>) {
        bytes.append(contentsOf: value)
        atFirstMember = false
    }

    /// Writes an integer.
    mutating func integer(_ value: some BinaryInteger) {
        raw(String(value).utf8)
    }

    /// Appends the final newline; the buffer then holds one complete log line.
    mutating func endLine() {
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Copies runs of plain bytes at once and escapes the few that need it.
    private mutating func appendEscaped(_ text: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for index in 0..<text.count {
            let byte = text[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<index]))
            bytes.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
            case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "t"))
            default:
                bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(hexDigit(byte >> 4))
                bytes.append(hexDigit(byte & 0x0F))
            }
            runStart = index + 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<text.count]))
    }
}

/// The lowercase hexadecimal digit for `nibble` (0–15).
@inline(__always) func hexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
}
