/// Detector for phone and card numbers. A number is parsed as a chain of digit groups joined by single
/// separators (space, `-`, `.`) or parentheses, then classified; the rules are in `NumberChain+Kinds.swift`.
extension Redactor {
    /// The most digits a chain may hold (the longest card number); longer chains are cut there.
    static let maximumChainDigits = 19

    /// A phone or card number starting at `index` (a digit, `+` or `(`), or nil. The whole chain is tried
    /// first; then, for lists such as `555-123-4567 555-987-6543`, shorter prefixes that end at a space.
    func matchNumber(at index: Int, in text: UnsafeBufferPointer<UInt8>) -> Match? {
        guard canStartNumber(at: index, in: text), hasPlausibleStart(at: index, in: text),
              roughDigitCount(from: index, in: text) >= 8,
              let chain = NumberChain(parsing: text, from: index)
        else { return nil }
        for prefix in stride(from: chain.groups.count, through: 1, by: -1)
        where chain.mayMatch(prefix: prefix, in: text) {
            let end = chain.groups[prefix - 1].end
            if prefix == chain.groups.count {
                guard chain.isComplete, endsCleanly(at: end, in: text) else { continue }
            } else {
                guard chain.separators[prefix - 1] == UInt8(ascii: " ") else { continue }
            }
            if let kind = chain.classify(prefix: prefix, in: text) {
                return Match(start: index, end: end, kind: kind)
            }
        }
        return nil
    }

    /// A number may start only where it is not the tail of a word, version, date or time: not after a
    /// letter, digit or `_`, not after `.`/`-` that follow a letter or digit (`v1.…`, `…-41d4-…`), and not
    /// after `:`/`/` that follow a digit (`04:05`, `11/30`).
    private func canStartNumber(at index: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        let byte = text[index]
        if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "(") {
            guard index + 1 < text.count, isDigit(text[index + 1]) else { return false }
            if byte == UInt8(ascii: "+") && text[index + 1] == UInt8(ascii: "0") { return false }
        }
        guard index > 0 else { return true }
        let previous = text[index - 1]
        if isWordByte(previous) { return false }
        if previous == UInt8(ascii: "+") && byte != UInt8(ascii: "(") { return false }
        guard index > 1 else { return true }
        let beforePrevious = text[index - 2]
        switch previous {
        case UInt8(ascii: "."), UInt8(ascii: "-"):
            return !isAlphanumeric(beforePrevious)
        case UInt8(ascii: ":"), UInt8(ascii: "/"):
            return !isDigit(beforePrevious)
        default:
            return true
        }
    }

    /// Whether the first group can begin any number `classify` accepts, checked without parsing: a `+`
    /// number; a first group of 3 or more digits (card, North-American area code); `0d…` (trunk prefix); or
    /// `1` followed by a 3-digit area code. Rejects lists of small numbers (`1 2 3 4 …`) cheaply.
    private func hasPlausibleStart(at index: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        var cursor = index
        if text[cursor] == UInt8(ascii: "+") { return true }
        if text[cursor] == UInt8(ascii: "(") { cursor += 1 }
        let firstEnd = text.skip(from: cursor, while: isDigit)
        switch firstEnd - cursor {
        case 3...: return true
        case 2: return text[cursor] == UInt8(ascii: "0")
        case 1:
            guard text[cursor] == UInt8(ascii: "1"), firstEnd + 1 < text.count else { return false }
            var areaStart = firstEnd + 1
            if text[areaStart] == UInt8(ascii: "(") { areaStart += 1 }
            return text.skip(from: areaStart, while: isDigit) - areaStart == 3
        default: return false
        }
    }

    /// An upper bound on the digits of the chain at `index`: digits among the next few number-ish bytes.
    /// Most numbers in logs are short, and this rejects them without parsing.
    private func roughDigitCount(from index: Int, in text: UnsafeBufferPointer<UInt8>) -> Int {
        var digits = 0
        var cursor = index
        let limit = min(text.count, index + 48)
        while cursor < limit {
            let byte = text[cursor]
            if isDigit(byte) {
                digits += 1
            } else if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "-") && byte != UInt8(ascii: ".")
                && byte != UInt8(ascii: "(") && byte != UInt8(ascii: ")") && byte != UInt8(ascii: "+") {
                break
            }
            cursor += 1
        }
        return digits
    }

    /// A number must not run into a word (`123ms`) or continue as a time, port or date (`…:30`, `…/26`).
    private func endsCleanly(at end: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard end < text.count else { return true }
        let byte = text[end]
        if isWordByte(byte) { return false }
        if byte == UInt8(ascii: ":") || byte == UInt8(ascii: "/") {
            return !(end + 1 < text.count && isDigit(text[end + 1]))
        }
        return true
    }
}

/// Digit groups parsed from text such as `+44 (0)20 7946 0958`.
struct NumberChain {
    /// One group of digits; `end` is past its closing parenthesis when it has one.
    struct Group {
        var digitStart: Int
        var digitEnd: Int
        var end: Int
        var parenthesized: Bool
        var length: Int { digitEnd - digitStart }
    }

    /// Whether the chain started with `+`.
    var international = false
    var groups: [Group] = []
    /// `separators[k]` joins `groups[k]` and `groups[k + 1]`; 0 when a group follows `)` directly.
    var separators: [UInt8] = []
    /// False when the chain was cut at `Redactor.maximumChainDigits`; only prefixes may then match.
    var isComplete = true

    /// Parses the chain at `index`; nil when no group could be read.
    init?(parsing text: UnsafeBufferPointer<UInt8>, from index: Int) {
        var cursor = index
        if text[cursor] == UInt8(ascii: "+") {
            international = true
            cursor += 1
        }
        var digits = 0
        groups.reserveCapacity(6)
        separators.reserveCapacity(6)
        while true {
            let parenthesized = text[cursor] == UInt8(ascii: "(")
            let digitStart = parenthesized ? cursor + 1 : cursor
            let digitEnd = text.skip(from: digitStart, while: isDigit)
            var end = digitEnd
            if parenthesized {
                guard end < text.count, text[end] == UInt8(ascii: ")") else { break }
                end += 1
            }
            guard digitEnd > digitStart else { break }
            guard digits + digitEnd - digitStart <= Redactor.maximumChainDigits else {
                isComplete = false
                break
            }
            digits += digitEnd - digitStart
            groups.append(Group(digitStart: digitStart, digitEnd: digitEnd, end: end, parenthesized: parenthesized))
            guard end < text.count else { break }
            let next = text[end]
            if next == UInt8(ascii: " ") || next == UInt8(ascii: "-") || next == UInt8(ascii: "."),
               startsGroup(at: end + 1, in: text) {
                separators.append(next)
                cursor = end + 1
            } else if parenthesized, isDigit(next) {
                separators.append(0)
                cursor = end
            } else {
                break
            }
        }
        if separators.count == groups.count, !separators.isEmpty { separators.removeLast() }
        guard !groups.isEmpty else { return nil }
    }

    /// A digit, or `(` followed by a digit.
    private func startsGroup(at index: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard index < text.count else { return false }
        if isDigit(text[index]) { return true }
        return text[index] == UInt8(ascii: "(") && index + 1 < text.count && isDigit(text[index + 1])
    }
}
