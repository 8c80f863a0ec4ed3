/// The nesting of JSON text, byte by byte, without parsing it: brackets inside strings (escapes honoured) do not
/// count. What ``JSONRecordSplitter`` (where a record ends) and the web worker's depth limit (how deep a body
/// nests, before any decoder recurses into it) both need.
public struct JSONNesting: Sendable {
    private var inString = false
    private var escaped = false

    public init() {}

    /// Whether the last byte stepped was inside a string (its opening quote included, its closing quote not).
    public var isInString: Bool { inString }

    /// +1 for `{` or `[` and -1 for `}` or `]` outside strings, 0 for every other byte.
    @inline(__always)
    public mutating func step(_ byte: UInt8) -> Int {
        if inString {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
            }
            return 0
        }
        switch byte {
        case UInt8(ascii: "\""): inString = true
        case UInt8(ascii: "{"), UInt8(ascii: "["): return 1
        case UInt8(ascii: "}"), UInt8(ascii: "]"): return -1
        default: break
        }
        return 0
    }
}
