/// Classification of a parsed digit chain as a card number, a phone number, or neither. The rules lean
/// towards leaving numbers alone: a log full of false `[REDACTED:phone]` markers hides the facts it is for.
extension NumberChain {
    /// The kind of the first `prefix` groups, or nil when they are neither a card nor a phone number.
    func classify(prefix: Int, in text: UnsafeBufferPointer<UInt8>) -> RedactionKind? {
        let digitCount = groups[..<prefix].reduce(0) { $0 + $1.length }
        if isCard(prefix: prefix, digitCount: digitCount, in: text) { return .card }
        if isPhone(prefix: prefix, digitCount: digitCount, in: text) { return .phone }
        return nil
    }

    /// A cheap necessary condition for `classify`, so lists of short numbers (`1 2 3 4 …`) are rejected
    /// without checking every prefix in full: only a card (groups of 3 or more), a `+` number, a
    /// North-American shape (3 or 4 groups) or a trunk number (leading `0`, groups of 2 or more) can match.
    func mayMatch(prefix: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        if international || prefix == 1 || prefix == 3 || prefix == 4 { return true }
        let shortest = groups[..<prefix].lazy.map(\.length).min() ?? 0
        if shortest >= 3 { return true }
        return shortest >= 2 && text[groups[0].digitStart] == UInt8(ascii: "0")
    }

    /// 13–19 digits starting with 2–6 (every card network; epoch timestamps in ms, µs and ns start with 1),
    /// plain or grouped as printed on cards (4 digits, then groups of 3–6: 4-4-4-4, 4-6-5, 4-4-4-4-3) by one
    /// kind of separator, space or dash, passing Luhn.
    private func isCard(prefix: Int, digitCount: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !international, (13...19).contains(digitCount) else { return false }
        let first = text[groups[0].digitStart]
        guard first >= UInt8(ascii: "2"), first <= UInt8(ascii: "6") else { return false }
        if prefix > 1 {
            let separator = separators[0]
            guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-"),
                  separators[..<(prefix - 1)].allSatisfy({ $0 == separator }),
                  groups[0].length == 4,
                  groups[1..<prefix].allSatisfy({ (3...6).contains($0.length) }),
                  groups[..<prefix].allSatisfy({ !$0.parenthesized })
            else { return false }
        }
        return passesLuhn(prefix: prefix, in: text)
    }

    /// `+` forms with 8–15 digits; otherwise at least one separator and either a North-American shape
    /// (`555-123-4567`, `(555) 123-4567`, `1-800-555-0199`) or a trunk-prefixed number (`020 7946 0958`,
    /// `06 12 34 56 78`) of 10–15 digits that does not start like a date (`01.02.2026 1234`).
    private func isPhone(prefix: Int, digitCount: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        if international { return (8...15).contains(digitCount) }
        guard prefix >= 2 else { return false }
        return isNorthAmerican(prefix: prefix) || isTrunkPrefixed(prefix: prefix, digitCount: digitCount, in: text)
    }

    /// Optional `1`, then groups of 3, 3 and 4 digits; the area code may be parenthesized, otherwise both
    /// separators must be the same.
    private func isNorthAmerican(prefix: Int) -> Bool {
        var first = 0
        if prefix == 4 {
            guard groups[0].length == 1, !groups[0].parenthesized, separators[0] != 0 else { return false }
            first = 1
        }
        guard prefix - first == 3 else { return false }
        let area = groups[first], exchange = groups[first + 1], line = groups[first + 2]
        guard area.length == 3, exchange.length == 3, line.length == 4,
              !exchange.parenthesized, !line.parenthesized, separators[first + 1] != 0
        else { return false }
        return area.parenthesized || separators[first] == separators[first + 1]
    }

    /// A first group starting with `0` (not `000`), 2 to 5 groups of at least 2 digits, 10–15 digits in all, only
    /// the first group parenthesized, and not `dd.mm.yyyy` or `yyyy-mm-dd` at the start.
    private func isTrunkPrefixed(prefix: Int, digitCount: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard (10...15).contains(digitCount), prefix <= 5, text[groups[0].digitStart] == UInt8(ascii: "0") else {
            return false
        }
        let leadingZeros = text[groups[0].digitStart..<groups[0].digitEnd].prefix { $0 == UInt8(ascii: "0") }.count
        guard leadingZeros < 3, leadingZeros < groups[0].length else { return false }
        guard groups[..<prefix].allSatisfy({ $0.length >= 2 }),
              groups[1..<prefix].allSatisfy({ !$0.parenthesized })
        else { return false }
        return !startsWithDate(prefix: prefix, in: text)
    }

    /// `dd-mm-yyyy`, `dd.mm.yyyy`, `yyyy-mm-dd` or `yyyy.mm.dd` (years 19xx or 20xx) as the first three groups.
    private func startsWithDate(prefix: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard prefix >= 3, separators[0] == separators[1],
              separators[0] == UInt8(ascii: "-") || separators[0] == UInt8(ascii: ".")
        else { return false }
        let lengths = (groups[0].length, groups[1].length, groups[2].length)
        let year: Group
        switch lengths {
        case (2, 2, 4): year = groups[2]
        case (4, 2, 2): year = groups[0]
        default: return false
        }
        let century = (text[year.digitStart], text[year.digitStart + 1])
        return century == (UInt8(ascii: "1"), UInt8(ascii: "9")) || century == (UInt8(ascii: "2"), UInt8(ascii: "0"))
    }

    /// The Luhn (mod 10) checksum over the digits of the first `prefix` groups.
    func passesLuhn(prefix: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        var sum = 0
        var doubled = false
        for group in groups[..<prefix].reversed() {
            for index in stride(from: group.digitEnd - 1, through: group.digitStart, by: -1) {
                var digit = Int(text[index] &- UInt8(ascii: "0"))
                if doubled {
                    digit *= 2
                    if digit > 9 { digit -= 9 }
                }
                sum += digit
                doubled.toggle()
            }
        }
        return sum % 10 == 0
    }
}
