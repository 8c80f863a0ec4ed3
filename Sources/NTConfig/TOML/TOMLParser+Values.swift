extension TOMLParser {
    /// Bytes allowed in a bare key: `A-Z a-z 0-9 _ -`.
    static func isBareKeyByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    /// `a`, `"quoted key"`, `'literal key'`, and dotted combinations with optional spaces around the dots.
    mutating func parseKeyPath() throws(TOMLSyntaxError) -> [String] {
        var path: [String] = []
        while true {
            path.append(try parseSimpleKey())
            if path.count > Self.maxKeyParts { throw error("key has more than \(Self.maxKeyParts) dotted parts") }
            skipWhitespace()
            guard peek == UInt8(ascii: ".") else { return path }
            advance()
            skipWhitespace()
        }
    }

    mutating func parseSimpleKey() throws(TOMLSyntaxError) -> String {
        switch peek {
        case UInt8(ascii: "\"")?:
            if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") { throw error("a key cannot be a multi-line string") }
            return try parseBasicString()
        case UInt8(ascii: "'")?:
            if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") { throw error("a key cannot be a multi-line string") }
            return try parseLiteralString()
        default:
            let start = pos
            while let c = peek, Self.isBareKeyByte(c) { pos += 1 }
            guard pos > start else { throw error("expected a key, found \(describeHere())") }
            return String(decoding: bytes[start..<pos], as: UTF8.self)
        }
    }

    /// Any value; `keyLine` is recorded on the result so later errors point at the key.
    mutating func parseValue(keyLine: Int) throws(TOMLSyntaxError) -> TOMLValue {
        switch peek {
        case UInt8(ascii: "\"")?:
            if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
                return TOMLValue(.string(try parseMultiLineBasicString()), line: keyLine)
            }
            return TOMLValue(.string(try parseBasicString()), line: keyLine)
        case UInt8(ascii: "'")?:
            if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") {
                return TOMLValue(.string(try parseMultiLineLiteralString()), line: keyLine)
            }
            return TOMLValue(.string(try parseLiteralString()), line: keyLine)
        case UInt8(ascii: "[")?:
            return TOMLValue(.array(try parseArray()), line: keyLine)
        case UInt8(ascii: "{")?:
            return TOMLValue(.table(try parseInlineTable()), line: keyLine)
        case nil, UInt8(ascii: "\n")?, UInt8(ascii: "\r")?, UInt8(ascii: "#")?:
            throw error("expected a value, found \(describeHere())")
        default:
            return TOMLValue(try parseScalarToken(), line: keyLine)
        }
    }

    /// Goes one nesting level deeper, refusing to pass `maxNesting`; the caller undoes it with `nesting -= 1`.
    mutating func enterNested() throws(TOMLSyntaxError) {
        guard nesting < Self.maxNesting else {
            throw error("arrays and inline tables are nested more than \(Self.maxNesting) levels deep")
        }
        enteredMultiLine = true
        nesting += 1
    }

    /// `[ v, v, ]` — may span lines, hold comments, end with a trailing comma, and mix types (TOML 1.0).
    mutating func parseArray() throws(TOMLSyntaxError) -> [TOMLValue] {
        try enterNested()
        defer { nesting -= 1 }
        advance()
        var elements: [TOMLValue] = []
        while true {
            try skipWhitespaceCommentsAndNewlines()
            if peek == UInt8(ascii: "]") { advance(); return elements }
            elements.append(try parseValue(keyLine: line))
            try skipWhitespaceCommentsAndNewlines()
            switch peek {
            case UInt8(ascii: ",")?: advance()
            case UInt8(ascii: "]")?: advance(); return elements
            default: throw error("expected ',' or ']' in array, found \(describeHere())")
            }
        }
    }

    /// `{ k = v, a.b = v }` — one line, no trailing comma, closed to later additions (TOML 1.0).
    mutating func parseInlineTable() throws(TOMLSyntaxError) -> TOMLTable {
        try enterNested()
        defer { nesting -= 1 }
        let table = TOMLTableBuilder(origin: .dotted, line: line)
        advance()
        skipWhitespace()
        if peek == UInt8(ascii: "}") { advance(); return table.freeze() }
        while true {
            skipWhitespace()
            let keyLine = line
            guard let c = peek, c != UInt8(ascii: "\n"), c != UInt8(ascii: "\r"), c != UInt8(ascii: "}") else {
                throw error(peek == UInt8(ascii: "}") ? "trailing comma is not allowed in an inline table"
                                                      : "an inline table must be closed with '}' on the same line")
            }
            let path = try parseKeyPath()
            skipWhitespace()
            guard peek == UInt8(ascii: "=") else {
                throw error("expected '=' after key '\(Self.dotted(path[...]))', found \(describeHere())")
            }
            advance()
            skipWhitespace()
            try insert(try parseValue(keyLine: keyLine), at: path, in: table)
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ",")?: advance()
            case UInt8(ascii: "}")?: advance(); return table.freeze()
            case nil, UInt8(ascii: "\n")?, UInt8(ascii: "\r")?:
                throw error("an inline table must be closed with '}' on the same line")
            default: throw error("expected ',' or '}' in inline table, found \(describeHere())")
            }
        }
    }
}
