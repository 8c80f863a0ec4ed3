extension TOMLParser {
    private static let quote = UInt8(ascii: "\"")
    private static let apostrophe = UInt8(ascii: "'")
    private static let backslash = UInt8(ascii: "\\")
    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    /// `"..."` with escapes; may not span lines.
    mutating func parseBasicString() throws(TOMLSyntaxError) -> String {
        advance()
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw error("unterminated string: missing closing '\"'") }
            switch c {
            case Self.quote:
                advance()
                return String(decoding: out, as: UTF8.self)
            case Self.backslash:
                try parseEscape(into: &out)
            case Self.newline, Self.carriageReturn:
                throw error("unterminated string: missing closing '\"' before end of line (use \"\"\" for multi-line strings)")
            default:
                if Self.isControl(c) { throw error("control character \(Self.hex(c)) in string; use an escape") }
                out.append(c)
                advance()
            }
        }
    }

    /// `'...'` taken verbatim; may not span lines.
    mutating func parseLiteralString() throws(TOMLSyntaxError) -> String {
        advance()
        let start = pos
        while true {
            guard let c = peek else { throw error("unterminated literal string: missing closing \"'\"") }
            if c == Self.apostrophe { break }
            if c == Self.newline || c == Self.carriageReturn {
                throw error("unterminated literal string: missing closing \"'\" before end of line")
            }
            if Self.isControl(c) { throw error("control character \(Self.hex(c)) in string") }
            pos += 1
        }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        advance()
        return text
    }

    /// `"""..."""` with escapes and line-ending backslashes; a newline right after the opening quotes is dropped.
    mutating func parseMultiLineBasicString() throws(TOMLSyntaxError) -> String {
        try parseMultiLine(delimiter: Self.quote, escapes: true)
    }

    /// `'''...'''` taken verbatim; a newline right after the opening quotes is dropped.
    mutating func parseMultiLineLiteralString() throws(TOMLSyntaxError) -> String {
        try parseMultiLine(delimiter: Self.apostrophe, escapes: false)
    }

    private mutating func parseMultiLine(delimiter: UInt8, escapes: Bool) throws(TOMLSyntaxError) -> String {
        let startLine = line
        enteredMultiLine = true
        pos += 3
        if peek == Self.newline { advance() }
        else if peek == Self.carriageReturn, peek(1) == Self.newline { pos += 1; advance() }
        var out: [UInt8] = []
        while true {
            guard let c = peek else {
                throw TOMLSyntaxError(line: startLine, message: "unterminated multi-line string starting here")
            }
            switch c {
            case delimiter:
                var run = 0
                while peek == delimiter { run += 1; pos += 1 }
                if run < 3 { out.append(contentsOf: repeatElement(delimiter, count: run)); continue }
                if run > 5 { throw error("too many quotes at the end of a multi-line string") }
                out.append(contentsOf: repeatElement(delimiter, count: run - 3))
                return String(decoding: out, as: UTF8.self)
            case Self.backslash where escapes:
                if try skipLineEndingBackslash() { continue }
                try parseEscape(into: &out)
            case Self.newline:
                out.append(c)
                advance()
            case Self.carriageReturn where peek(1) == Self.newline:
                out.append(c)
                pos += 1
            default:
                if Self.isControl(c) { throw error("control character \(Self.hex(c)) in string") }
                out.append(c)
                advance()
            }
        }
    }

    /// A `\` followed only by spaces up to the end of the line trims that line end and the following whitespace.
    private mutating func skipLineEndingBackslash() throws(TOMLSyntaxError) -> Bool {
        var look = pos + 1
        while look < bytes.count, bytes[look] == UInt8(ascii: " ") || bytes[look] == UInt8(ascii: "\t") { look += 1 }
        guard look < bytes.count,
              bytes[look] == Self.newline || (bytes[look] == Self.carriageReturn && look + 1 < bytes.count && bytes[look + 1] == Self.newline)
        else { return false }
        pos = look
        while let c = peek, c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == Self.newline
            || (c == Self.carriageReturn && peek(1) == Self.newline) {
            advance()
        }
        return true
    }

    /// One escape sequence after a backslash: `\b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX`.
    private mutating func parseEscape(into out: inout [UInt8]) throws(TOMLSyntaxError) {
        advance()
        guard let c = peek else { throw error("unterminated escape sequence at end of file") }
        advance()
        switch c {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case Self.quote: out.append(Self.quote)
        case Self.backslash: out.append(Self.backslash)
        case UInt8(ascii: "u"): try appendUnicodeEscape(digits: 4, into: &out)
        case UInt8(ascii: "U"): try appendUnicodeEscape(digits: 8, into: &out)
        default:
            pos -= 1
            throw error("invalid escape sequence in string: '\\' followed by \(describeHere())")
        }
    }

    private mutating func appendUnicodeEscape(digits: Int, into out: inout [UInt8]) throws(TOMLSyntaxError) {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let c = peek, let digit = Self.hexDigitValue(c) else {
                throw error("\\\(digits == 4 ? "u" : "U") escape needs exactly \(digits) hexadecimal digits")
            }
            value = value << 4 | UInt32(digit)
            pos += 1
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw error("escape \\\(digits == 4 ? "u" : "U")\(String(value, radix: 16, uppercase: true)) is not a Unicode scalar value")
        }
        out.append(contentsOf: String(Character(scalar)).utf8)
    }

    static func hexDigitValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
