/// A tiny, strict JSON parser for the tests: it keeps object members in order (so tests can check key order)
/// and rejects anything RFC 8259 does not allow, raw control characters inside strings included. Numbers are
/// integers only: the log format writes no others.
enum JSONValue: Equatable {
    case object([Member])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    struct Member: Equatable {
        var key: String
        var value: JSONValue
    }

    struct ParseError: Error, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// Parses exactly one JSON value, with nothing but whitespace around it.
    static func parse(_ text: String) throws -> JSONValue {
        var parser = Parser(bytes: Array(text.utf8))
        parser.skipWhitespace()
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.offset == parser.bytes.count else { throw parser.error("trailing bytes") }
        return value
    }

    /// The member keys of an object, in order ([] for anything else).
    var keys: [String] {
        if case .object(let members) = self { return members.map(\.key) }
        return []
    }

    /// The value of an object member, or of an array element.
    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members.first { $0.key == key }?.value }
        return nil
    }

    subscript(index: Int) -> JSONValue? {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return nil
    }

    /// The string, when this is a string.
    var string: String? {
        if case .string(let string) = self { return string }
        return nil
    }
}

private struct Parser {
    let bytes: [UInt8]
    var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ reason: String) -> JSONValue.ParseError { .init(offset: offset, reason: reason) }

    mutating func skipWhitespace() {
        while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
    }

    mutating func expect(_ literal: String) throws {
        let literalBytes = Array(literal.utf8)
        guard bytes[offset...].starts(with: literalBytes) else { throw error("expected \(literal)") }
        offset += literalBytes.count
    }

    mutating func value() throws -> JSONValue {
        guard offset < bytes.count else { throw error("unexpected end") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default: return try number()
        }
    }

    mutating func object() throws -> JSONValue {
        offset += 1
        var members: [JSONValue.Member] = []
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") { offset += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected key") }
            let key = try string()
            skipWhitespace()
            try expect(":")
            skipWhitespace()
            members.append(.init(key: key, value: try value()))
            skipWhitespace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
            try expect("}")
            return .object(members)
        }
    }

    mutating func array() throws -> JSONValue {
        offset += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") { offset += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try value())
            skipWhitespace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
            try expect("]")
            return .array(elements)
        }
    }

    mutating func string() throws -> String {
        offset += 1
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flush() { scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars); raw = [] }
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                flush()
                return String(scalars)
            case 0..<0x20:
                throw error("raw control character 0x\(String(byte, radix: 16)) in string")
            case UInt8(ascii: "\\"):
                flush()
                guard offset < bytes.count else { throw error("unfinished escape") }
                let escape = bytes[offset]
                offset += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    guard offset + 4 <= bytes.count,
                          let code = UInt32(String(decoding: bytes[offset..<offset + 4], as: UTF8.self), radix: 16),
                          let scalar = Unicode.Scalar(code)
                    else { throw error("bad \\u escape") }
                    offset += 4
                    scalars.append(scalar)
                default:
                    throw error("bad escape")
                }
            default:
                raw.append(byte)
            }
        }
        throw error("unterminated string")
    }

    mutating func number() throws -> JSONValue {
        let start = offset
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let digitsStart = offset
        while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) { offset += 1 }
        guard offset > digitsStart else { throw error("expected a value") }
        guard bytes[digitsStart] != UInt8(ascii: "0") || offset - digitsStart == 1 else { throw error("leading zero") }
        return .number(String(decoding: bytes[start..<offset], as: UTF8.self))
    }
}
