// The vocabulary shared by the exposition parser, builder and renderer (Prometheus text format 0.0.4).

/// The metric types a `# TYPE` line may declare.
enum MetricType: String, Sendable {
    case counter, gauge, histogram, summary, untyped

    /// The sample names a family of this type owns, e.g. `x_bucket`, `x_sum`, `x_count` for histogram `x`.
    func sampleNames(family: String) -> [String] {
        switch self {
        case .counter, .gauge, .untyped: [family]
        case .histogram: [family + "_bucket", family + "_sum", family + "_count"]
        case .summary: [family, family + "_sum", family + "_count"]
        }
    }
}

/// One `name="value"` pair; `value` is held unescaped and escaped again when rendered.
struct Label: Hashable, Sendable {
    var name: String
    var value: String
}

/// One sample line: `name{labels} value [timestamp]`. Value and timestamp keep their validated source text.
struct Sample: Sendable {
    var name: String
    var labels: [Label]
    var value: String
    var timestamp: String?

    /// The value of the label called `name`, if present.
    func label(_ name: String) -> String? {
        labels.first(where: { $0.name == name })?.value
    }

    /// Identifies the series regardless of label order, to drop duplicates.
    var seriesKey: String {
        let sorted = labels.sorted { $0.name < $1.name }
        return name + "{" + sorted.map { "\($0.name)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ",") + "}"
    }

    /// The sample as one exposition line, without the line feed.
    var rendered: String {
        var line = name
        if !labels.isEmpty {
            line += "{" + labels.map { "\($0.name)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ",") + "}"
        }
        line += " " + value
        if let timestamp { line += " " + timestamp }
        return line
    }
}

/// Escapes a label value: backslash, double quote and line feed, as the text format requires.
func escapeLabelValue(_ value: String) -> String {
    var result = ""
    result.reserveCapacity(value.utf8.count)
    for character in value.unicodeScalars {
        switch character {
        case "\\": result += "\\\\"
        case "\"": result += "\\\""
        case "\n": result += "\\n"
        default: result.unicodeScalars.append(character)
        }
    }
    return result
}

/// Escapes `# HELP` text: backslash and line feed (a double quote needs no escape there).
func escapeHelpText(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for character in text.unicodeScalars {
        switch character {
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        default: result.unicodeScalars.append(character)
        }
    }
    return result
}

/// Whether `name` matches `[a-zA-Z_:][a-zA-Z0-9_:]*`, the metric name grammar.
func isValidMetricName<S: StringProtocol>(_ name: S) -> Bool {
    isValidName(name.utf8, allowColon: true)
}

/// Whether `name` matches `[a-zA-Z_][a-zA-Z0-9_]*`, the label name grammar.
func isValidLabelName<S: StringProtocol>(_ name: S) -> Bool {
    isValidName(name.utf8, allowColon: false)
}

private func isValidName<C: Collection<UInt8>>(_ bytes: C, allowColon: Bool) -> Bool {
    guard let first = bytes.first, !isDigit(first) else { return false }
    return bytes.allSatisfy { isNameByte($0, allowColon: allowColon) }
}

func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

func isNameByte(_ byte: UInt8, allowColon: Bool) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
        true
    case UInt8(ascii: "0")...UInt8(ascii: "9"): true
    case UInt8(ascii: ":"): allowColon
    default: false
    }
}

/// Whether `text` is a sample value every Prometheus parser accepts: a decimal float with optional sign and
/// exponent, or `NaN` / `Inf` / `+Inf` / `-Inf` in any case. Hexadecimal and digit separators are refused.
func isValidSampleValue<S: StringProtocol>(_ text: S) -> Bool {
    var bytes = Substring(text).utf8[...]
    if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
    let word = String(decoding: bytes, as: UTF8.self).lowercased()
    if word == "inf" || word == "infinity" { return true }
    if word == "nan" { return text.utf8.count == 3 }  // Go's ParseFloat refuses a signed NaN.
    var integerDigits = 0, fractionDigits = 0
    while let byte = bytes.first, isDigit(byte) { integerDigits += 1; bytes = bytes.dropFirst() }
    if bytes.first == UInt8(ascii: ".") {
        bytes = bytes.dropFirst()
        while let byte = bytes.first, isDigit(byte) { fractionDigits += 1; bytes = bytes.dropFirst() }
    }
    guard integerDigits + fractionDigits > 0 else { return false }
    if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
        bytes = bytes.dropFirst()
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard let first = bytes.first, isDigit(first) else { return false }
        while let byte = bytes.first, isDigit(byte) { bytes = bytes.dropFirst() }
    }
    return bytes.isEmpty
}

/// Whether `text` is a millisecond timestamp: an optionally negative 64-bit integer.
func isValidTimestamp<S: StringProtocol>(_ text: S) -> Bool {
    Int64(text) != nil && !text.hasPrefix("+")
}
