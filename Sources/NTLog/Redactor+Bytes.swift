/// Byte classification for the redaction scanner: which bytes can start a match, and the ASCII predicates the
/// detectors share. Everything here works on UTF-8 code units; bytes ≥ 0x80 are never letters or digits.
enum ByteClass {
    /// First byte of a configured secret (set per `Redactor`, not in the static table).
    static let secretStart: UInt8 = 1 << 0
    /// `s`: may start an `sk-…` API key.
    static let keyStart: UInt8 = 1 << 1
    /// `b`/`B`: may start the word `Bearer`.
    static let bearerStart: UInt8 = 1 << 2
    /// `a`/`A`: may start the word `Authorization`.
    static let authorizationStart: UInt8 = 1 << 3
    /// `@`: the middle of an email address.
    static let at: UInt8 = 1 << 4
    /// A digit, `+` or `(`: may start a phone or card number.
    static let numberStart: UInt8 = 1 << 5

    /// The static trigger table, indexed by byte value.
    static let table: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        table[Int(UInt8(ascii: "s"))] |= keyStart
        table[Int(UInt8(ascii: "n"))] |= keyStart
        table[Int(UInt8(ascii: "N"))] |= keyStart
        table[Int(UInt8(ascii: "b"))] |= bearerStart
        table[Int(UInt8(ascii: "B"))] |= bearerStart
        table[Int(UInt8(ascii: "a"))] |= authorizationStart
        table[Int(UInt8(ascii: "A"))] |= authorizationStart
        table[Int(UInt8(ascii: "@"))] |= at
        for digit in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(digit)] |= numberStart }
        table[Int(UInt8(ascii: "+"))] |= numberStart
        table[Int(UInt8(ascii: "("))] |= numberStart
        return table
    }()
}

/// `0`–`9`.
@inline(__always) func isDigit(_ byte: UInt8) -> Bool {
    byte &- UInt8(ascii: "0") < 10
}

/// `A`–`Z` or `a`–`z`.
@inline(__always) func isLetter(_ byte: UInt8) -> Bool {
    (byte | 0x20) &- UInt8(ascii: "a") < 26
}

/// A letter or a digit.
@inline(__always) func isAlphanumeric(_ byte: UInt8) -> Bool {
    isDigit(byte) || isLetter(byte)
}

/// A byte that continues a word: letters, digits and `_`. Matches must not start or end inside a word.
@inline(__always) func isWordByte(_ byte: UInt8) -> Bool {
    isAlphanumeric(byte) || byte == UInt8(ascii: "_")
}

/// Space or horizontal tab.
@inline(__always) func isBlank(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
}

extension UnsafeBufferPointer<UInt8> {
    /// True when `index` is at the start of the text or follows a non-word byte.
    @inline(__always) func startsWord(at index: Int) -> Bool {
        index == 0 || !isWordByte(self[index - 1])
    }

    /// True when the bytes at `index` equal `word`, comparing ASCII letters case-insensitively.
    /// `word` must be ASCII with lowercase letters.
    func hasPrefixIgnoringCase(_ word: StaticString, at index: Int) -> Bool {
        let length = word.utf8CodeUnitCount
        guard index + length <= count else { return false }
        let expected = word.utf8Start
        for offset in 0..<length {
            let byte = self[index + offset]
            let wanted = expected[offset]
            if byte != wanted && !(isLetter(wanted) && byte | 0x20 == wanted) { return false }
        }
        return true
    }

    /// The index of the first byte at or after `index` that does not satisfy `predicate`.
    @inline(__always) func skip(from index: Int, while predicate: (UInt8) -> Bool) -> Int {
        var cursor = index
        while cursor < count && predicate(self[cursor]) { cursor += 1 }
        return cursor
    }
}
