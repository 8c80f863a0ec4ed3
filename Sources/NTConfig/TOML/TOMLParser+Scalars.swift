extension TOMLParser {
    /// Bytes that can make up a bare value token: numbers, `true`/`false`, `inf`/`nan`, and (rejected) dates.
    private static func isTokenByte(_ c: UInt8) -> Bool {
        isBareKeyByte(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":")
    }

    /// A boolean, integer or float written without quotes.
    mutating func parseScalarToken() throws(TOMLSyntaxError) -> TOMLValue.Kind {
        let start = pos
        while let c = peek, Self.isTokenByte(c) { pos += 1 }
        guard pos > start else { throw error("expected a value, found \(describeHere())") }
        let token = Array(bytes[start..<pos])
        let text = String(decoding: token, as: UTF8.self)
        switch text {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if Self.looksLikeDate(token) { throw error("dates and times are not supported ('\(text)'); use a string") }
        if token.first == UInt8(ascii: ".") { throw error("invalid float '\(text)': a digit must precede the '.'") }
        if let radix = Self.radix(token) { return .integer(try parseRadixInteger(token, radix: radix, text: text)) }
        guard let first = token.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || Self.isDigit(first) else {
            throw error("invalid value '\(text)' (strings must be quoted: \"\(text)\")")
        }
        return try parseDecimal(token, text: text)
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    /// `1979-05-27` or `07:32:00`: a local date or time, outside the supported subset.
    private static func looksLikeDate(_ t: [UInt8]) -> Bool {
        if t.contains(UInt8(ascii: ":")) { return true }
        return t.count >= 7 && t[0..<4].allSatisfy(isDigit) && t[4] == UInt8(ascii: "-") && isDigit(t[5])
    }

    private static func radix(_ t: [UInt8]) -> Int? {
        guard t.count >= 2, t[0] == UInt8(ascii: "0") else { return nil }
        switch t[1] {
        case UInt8(ascii: "x"): return 16
        case UInt8(ascii: "o"): return 8
        case UInt8(ascii: "b"): return 2
        default: return nil
        }
    }

    /// `0x`, `0o`, `0b` integers: no sign, underscores only between digits, must fit in a signed 64-bit integer.
    private func parseRadixInteger(_ t: [UInt8], radix: Int, text: String) throws(TOMLSyntaxError) -> Int64 {
        let digits = t[2...]
        guard Self.underscoresWellPlaced(digits) else { throw error("invalid integer '\(text)': misplaced '_'") }
        var value: Int64 = 0
        for c in digits where c != UInt8(ascii: "_") {
            guard let d = Self.hexDigitValue(c), Int(d) < radix else {
                throw error("invalid digit in base-\(radix) integer '\(text)'")
            }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: Int64(radix))
            guard !overflow, shifted <= Int64.max - Int64(d) else { throw error("integer '\(text)' does not fit in 64 bits") }
            value = shifted + Int64(d)
        }
        return value
    }

    /// Decimal integers and floats: `+1_000`, `-0.5`, `6.02e23`, `1E-7`. Leading zeros are not allowed.
    private func parseDecimal(_ t: [UInt8], text: String) throws(TOMLSyntaxError) -> TOMLValue.Kind {
        var i = 0
        if t[0] == UInt8(ascii: "+") || t[0] == UInt8(ascii: "-") { i = 1 }
        let intStart = i
        while i < t.count, Self.isDigit(t[i]) || t[i] == UInt8(ascii: "_") { i += 1 }
        let intPart = t[intStart..<i]
        guard !intPart.isEmpty, Self.underscoresWellPlaced(intPart) else { throw error("invalid number '\(text)'") }
        if intPart.count > 1, intPart.first == UInt8(ascii: "0") {
            throw error("invalid number '\(text)': leading zeros are not allowed")
        }
        var isFloat = false
        if i < t.count, t[i] == UInt8(ascii: ".") {
            isFloat = true
            i += 1
            let fracStart = i
            while i < t.count, Self.isDigit(t[i]) || t[i] == UInt8(ascii: "_") { i += 1 }
            guard Self.underscoresWellPlaced(t[fracStart..<i]), i > fracStart else {
                throw error("invalid float '\(text)': a digit must follow the '.'")
            }
        }
        if i < t.count, t[i] == UInt8(ascii: "e") || t[i] == UInt8(ascii: "E") {
            isFloat = true
            i += 1
            if i < t.count, t[i] == UInt8(ascii: "+") || t[i] == UInt8(ascii: "-") { i += 1 }
            let expStart = i
            while i < t.count, Self.isDigit(t[i]) || t[i] == UInt8(ascii: "_") { i += 1 }
            guard Self.underscoresWellPlaced(t[expStart..<i]), i > expStart else {
                throw error("invalid float '\(text)': the exponent needs digits")
            }
        }
        guard i == t.count else { throw error("invalid number '\(text)'") }
        let plain = String(decoding: t.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        if isFloat {
            guard let value = Double(plain) else { throw error("invalid float '\(text)'") }
            return .float(value)
        }
        guard let value = Int64(plain) else { throw error("integer '\(text)' does not fit in 64 bits") }
        return .integer(value)
    }

    /// True if the run is non-empty and every `_` sits between two digits.
    private static func underscoresWellPlaced(_ run: ArraySlice<UInt8>) -> Bool {
        guard let first = run.first, let last = run.last else { return false }
        if first == UInt8(ascii: "_") || last == UInt8(ascii: "_") { return false }
        var previous: UInt8 = 0
        for c in run {
            if c == UInt8(ascii: "_"), previous == UInt8(ascii: "_") { return false }
            previous = c
        }
        return true
    }
}
