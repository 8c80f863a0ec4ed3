/// A syntax error inside the parser; the statement loop turns it into a `ConfigError` with the file name.
struct TOMLSyntaxError: Error {
    let line: Int
    let message: String
}

/// A byte-level, recursive-descent reader for the TOML subset described in ADR 0002.
///
/// Works on UTF-8 bytes and slices only at ASCII delimiters, so every string it builds is valid UTF-8.
/// Nesting of arrays and inline tables is capped so that hostile input cannot exhaust the stack.
struct TOMLParser {
    static let maxNesting = 32
    static let maxKeyParts = 16
    static let maxErrors = 20

    let bytes: [UInt8]
    let file: String
    var pos = 0
    var line = 1
    var nesting = 0
    /// Set when a statement enters a construct that may span lines; an error after that ends parsing.
    var enteredMultiLine = false

    init(text: String, file: String) {
        self.bytes = Array(text.utf8)
        self.file = file
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { pos = 3 }  // a byte-order mark some editors add
    }

    var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }

    func peek(_ offset: Int) -> UInt8? { pos + offset < bytes.count ? bytes[pos + offset] : nil }

    /// Consumes one byte, counting lines.
    mutating func advance() {
        if bytes[pos] == UInt8(ascii: "\n") { line += 1 }
        pos += 1
    }

    func error(_ message: String) -> TOMLSyntaxError { TOMLSyntaxError(line: line, message: message) }

    /// Reads the whole document, collecting syntax errors instead of stopping at the first.
    mutating func parseDocument() -> (TOMLTable, [ConfigError]) {
        let root = TOMLTableBuilder(origin: .header, line: 0)
        var current = root
        var errors: [ConfigError] = []
        while true {
            skipWhitespace()
            guard peek != nil else { break }
            enteredMultiLine = false
            do throws(TOMLSyntaxError) {
                switch peek! {
                case UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "#"):
                    break
                case UInt8(ascii: "["):
                    // A failed header sends what follows to a scratch table, so it cannot cause false duplicates.
                    current = TOMLTableBuilder(origin: .header, line: line)
                    current = try parseHeader(root: root)
                default:
                    try parseKeyValue(into: current)
                }
                try expectEndOfLine()
            } catch {
                errors.append(ConfigError(file: file, line: error.line, message: error.message))
                if errors.count >= Self.maxErrors {
                    errors.append(ConfigError(file: file, line: error.line, message: "too many errors; giving up"))
                    break
                }
                if enteredMultiLine { break }
                skipRestOfLine()
            }
        }
        return (root.freeze(), errors)
    }

    /// `[a.b]` — defines a table and makes it the target of the key/value lines that follow.
    mutating func parseHeader(root: TOMLTableBuilder) throws(TOMLSyntaxError) -> TOMLTableBuilder {
        let headerLine = line
        advance()
        if peek == UInt8(ascii: "[") {
            throw error("arrays of tables ([[...]]) are not supported")
        }
        skipWhitespace()
        let path = try parseKeyPath()
        skipWhitespace()
        guard peek == UInt8(ascii: "]") else {
            throw error("expected ']' to close the table header, found \(describeHere())")
        }
        advance()
        return try defineTable(path, in: root, line: headerLine)
    }

    /// `key = value`, where key may be dotted.
    mutating func parseKeyValue(into table: TOMLTableBuilder) throws(TOMLSyntaxError) {
        let keyLine = line
        let path = try parseKeyPath()
        skipWhitespace()
        guard peek == UInt8(ascii: "=") else {
            throw error("expected '=' after key '\(Self.dotted(path[...]))', found \(describeHere())")
        }
        advance()
        skipWhitespace()
        let value = try parseValue(keyLine: keyLine)
        enteredMultiLine = false  // the value is complete: resuming after it is safe again
        try insert(value, at: path, in: table)
    }

    // MARK: whitespace, comments, line ends

    mutating func skipWhitespace() {
        while let c = peek, c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { pos += 1 }
    }

    /// After a statement: optional comment, then a newline or the end of the input.
    mutating func expectEndOfLine() throws(TOMLSyntaxError) {
        skipWhitespace()
        if peek == UInt8(ascii: "#") { try skipComment() }
        switch peek {
        case nil: return
        case UInt8(ascii: "\n"): advance()
        case UInt8(ascii: "\r") where peek(1) == UInt8(ascii: "\n"): pos += 1; advance()
        default: throw error("expected end of line, found \(describeHere())")
        }
    }

    /// Skips `# ...` up to (not including) the newline; control characters other than tab are errors.
    mutating func skipComment() throws(TOMLSyntaxError) {
        while let c = peek, c != UInt8(ascii: "\n") {
            if c == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") { return }
            if Self.isControl(c) { throw error("control character \(Self.hex(c)) in comment") }
            pos += 1
        }
    }

    /// Skips blank lines, comments and newlines between array elements.
    mutating func skipWhitespaceCommentsAndNewlines() throws(TOMLSyntaxError) {
        while true {
            skipWhitespace()
            switch peek {
            case UInt8(ascii: "#"): try skipComment()
            case UInt8(ascii: "\n"): advance()
            case UInt8(ascii: "\r") where peek(1) == UInt8(ascii: "\n"): pos += 1; advance()
            default: return
            }
        }
    }

    mutating func skipRestOfLine() {
        while let c = peek, c != UInt8(ascii: "\n") { pos += 1 }
        if peek != nil { advance() }
    }

    // MARK: character classes and messages

    static func isControl(_ c: UInt8) -> Bool { (c < 0x20 && c != UInt8(ascii: "\t")) || c == 0x7F }

    static func hex(_ c: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "U+00" + String(digits[Int(c >> 4)]) + String(digits[Int(c & 0xF)])
    }

    /// The character at the current position, quoted for a message ("'x'", "end of line", "end of file").
    func describeHere() -> String {
        guard let c = peek else { return "end of file" }
        if c == UInt8(ascii: "\n") || (c == UInt8(ascii: "\r") && peek(1) == UInt8(ascii: "\n")) { return "end of line" }
        if c == UInt8(ascii: "\r") { return "a carriage return not followed by a newline" }
        if Self.isControl(c) { return "control character \(Self.hex(c))" }
        let end = min(bytes.count, pos + 4)
        let text = String(decoding: bytes[pos..<end], as: UTF8.self)
        return "'" + String(text.first ?? "?") + "'"
    }
}
