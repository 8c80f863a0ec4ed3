/// One classified line of a Prometheus text exposition.
enum ExpositionLine: Sendable {
    /// `# HELP name text`, with `text` unescaped (empty if the line carried none).
    case help(name: String, text: String)
    /// `# TYPE name type`.
    case type(name: String, type: MetricType)
    /// A sample line.
    case sample(Sample)
    /// A blank line or a plain comment: nothing to keep.
    case ignorable
    /// A line that does not follow the format; dropped so that it can never spoil the merged output.
    case invalid
}

/// Parses single lines of the text exposition format 0.0.4, the way Prometheus' own parser reads them:
/// blanks and tabs separate tokens, label values and help texts use the escapes `\\`, `\"` (labels only) and
/// `\n`, and any other escape makes the line invalid.
struct ExpositionLineParser {
    private let bytes: [UInt8]
    private var index = 0

    /// Classifies the UTF-8 bytes of one line (without its line feed; a trailing carriage return is tolerated).
    static func parse<C: Collection<UInt8>>(_ line: C) -> ExpositionLine {
        var bytes = Array(line)
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        var parser = ExpositionLineParser(bytes: bytes)
        return parser.parseLine() ?? .invalid
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func parseLine() -> ExpositionLine? {
        skipBlanks()
        guard let first = peek else { return .ignorable }
        return first == UInt8(ascii: "#") ? parseComment() : parseSample().map(ExpositionLine.sample)
    }

    private mutating func parseComment() -> ExpositionLine? {
        index += 1
        skipBlanks()
        let keyword = readToken()
        guard keyword == "HELP" || keyword == "TYPE" else { return .ignorable }
        skipBlanks()
        let name = readToken()
        guard isValidMetricName(name) else { return nil }
        skipBlanks()
        if keyword == "TYPE" {
            guard let type = MetricType(rawValue: readToken().lowercased()) else { return nil }
            skipBlanks()
            return peek == nil ? .type(name: name, type: type) : nil
        }
        guard let text = readEscaped(until: nil, allowQuoteEscape: false) else { return nil }
        return .help(name: name, text: text)
    }

    private mutating func parseSample() -> Sample? {
        let name = readName(allowColon: true)
        guard isValidMetricName(name) else { return nil }
        skipBlanks()
        var labels: [Label] = []
        if peek == UInt8(ascii: "{") {
            index += 1
            guard let parsed = parseLabels() else { return nil }
            labels = parsed
            skipBlanks()
        }
        let value = readToken()
        guard isValidSampleValue(value) else { return nil }
        skipBlanks()
        var timestamp: String?
        if peek != nil {
            let token = readToken()
            guard isValidTimestamp(token) else { return nil }
            timestamp = token
            skipBlanks()
        }
        guard peek == nil else { return nil }
        return Sample(name: name, labels: labels, value: value, timestamp: timestamp)
    }

    /// Parses `a="x", b="y"}` (the opening brace already consumed); a trailing comma is allowed.
    private mutating func parseLabels() -> [Label]? {
        var labels: [Label] = []
        while true {
            skipBlanks()
            if peek == UInt8(ascii: "}") {
                index += 1
                return labels
            }
            let name = readName(allowColon: false)
            // Reserved names (`__name__` and friends) and repeated names are refused by Prometheus itself.
            guard isValidLabelName(name), !name.hasPrefix("__"), !labels.contains(where: { $0.name == name })
            else { return nil }
            skipBlanks()
            guard consume(UInt8(ascii: "=")) else { return nil }
            skipBlanks()
            guard consume(UInt8(ascii: "\"")),
                let value = readEscaped(until: UInt8(ascii: "\""), allowQuoteEscape: true)
            else { return nil }
            labels.append(Label(name: name, value: value))
            skipBlanks()
            if consume(UInt8(ascii: ",")) { continue }
            guard peek == UInt8(ascii: "}") else { return nil }
        }
    }

    // MARK: - Lexing

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipBlanks() {
        while let byte = peek, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { index += 1 }
    }

    /// Reads up to the next blank or the end of the line.
    private mutating func readToken() -> String {
        let start = index
        while let byte = peek, byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t") { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// Reads the longest run of name characters.
    private mutating func readName(allowColon: Bool) -> String {
        let start = index
        while let byte = peek, isNameByte(byte, allowColon: allowColon) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// Reads and unescapes text up to `terminator` (consumed) or, if `terminator` is nil, to the end of the line.
    /// Returns nil for an unknown escape, a missing terminator or invalid UTF-8.
    private mutating func readEscaped(until terminator: UInt8?, allowQuoteEscape: Bool) -> String? {
        var raw: [UInt8] = []
        while let byte = peek {
            index += 1
            if byte == terminator { return String(validating: raw, as: UTF8.self) }
            guard byte == UInt8(ascii: "\\") else {
                raw.append(byte)
                continue
            }
            guard let escaped = peek else { return nil }
            index += 1
            switch escaped {
            case UInt8(ascii: "\\"): raw.append(escaped)
            case UInt8(ascii: "n"): raw.append(UInt8(ascii: "\n"))
            case UInt8(ascii: "\"") where allowQuoteEscape: raw.append(escaped)
            default: return nil
            }
        }
        return terminator == nil ? String(validating: raw, as: UTF8.self) : nil
    }
}
