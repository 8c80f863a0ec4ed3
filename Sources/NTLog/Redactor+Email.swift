/// Detector for email addresses, triggered at the `@` and looking back for the local part.
extension Redactor {
    /// Longest local part looked back for (RFC 5321 allows 64 octets).
    static let maximumLocalPart = 64

    /// `local@domain.tld`: a local part of `A–Z a–z 0–9 . _ % + -`, a domain of at least two dot-separated
    /// labels, the last one alphabetic and at least two letters long. `user@localhost`, `@MainActor` and
    /// `pkg@1.2.3` do not match. The look-back never reaches into text already replaced (`emitted`).
    func matchEmail(at index: Int, in text: UnsafeBufferPointer<UInt8>, emitted: Int) -> Match? {
        var start = index
        while start > emitted, index - start < Self.maximumLocalPart, isLocalPartByte(text[start - 1]) {
            start -= 1
        }
        while start < index, text[start] == UInt8(ascii: ".") { start += 1 }
        guard start < index, let end = domainEnd(after: index, in: text) else { return nil }
        return Match(start: start, end: end, kind: .email)
    }

    /// The end of a valid domain starting after the `@` at `at`, or nil. Trailing labels that cannot end a
    /// domain (numeric, one letter) are dropped, so `a@b.example.c1` still matches `a@b.example`.
    private func domainEnd(after at: Int, in text: UnsafeBufferPointer<UInt8>) -> Int? {
        var cursor = at + 1
        var labelCount = 0
        var best: Int?
        while cursor < text.count, isAlphanumeric(text[cursor]) {
            let labelStart = cursor
            cursor = text.skip(from: cursor) { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
            labelCount += 1
            let label = UnsafeBufferPointer(rebasing: text[labelStart..<cursor])
            if labelCount >= 2, label.count >= 2, label.allSatisfy(isLetter) { best = cursor }
            guard cursor + 1 < text.count, text[cursor] == UInt8(ascii: "."), isAlphanumeric(text[cursor + 1]) else {
                break
            }
            cursor += 1
        }
        return best
    }
}

/// Bytes allowed in the local part of an address (the common subset of RFC 5322 atext, plus dots).
@inline(__always) func isLocalPartByte(_ byte: UInt8) -> Bool {
    if isAlphanumeric(byte) { return true }
    switch byte {
    case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "%"), UInt8(ascii: "+"), UInt8(ascii: "-"):
        return true
    default:
        return false
    }
}
