/// Detectors for credentials: `sk-…` API keys, the appliance's own `ntk_…` API tokens, `Bearer` tokens and
/// `Authorization` values.
extension Redactor {
    /// Minimum key characters after the `sk-` (or `sk-or-`, `sk-or-v1-`) prefix for a run to count as a key.
    static let minimumKeyCharacters = 16
    /// Minimum length of the token after `Bearer`; shorter ones are probably prose ("bearer of bad news").
    static let minimumBearerToken = 8

    /// `sk-` at a word start followed by a run of key characters (`A–Z a–z 0–9 _ -`); the whole run, prefix
    /// included, is replaced.
    func matchAPIKey(at index: Int, in text: UnsafeBufferPointer<UInt8>) -> Match? {
        if text[index] == UInt8(ascii: "n") || text[index] == UInt8(ascii: "N") { return matchApplianceToken(at: index, in: text) }
        guard index + 3 <= text.count, text[index + 1] == UInt8(ascii: "k"), text[index + 2] == UInt8(ascii: "-"),
              text.startsWord(at: index)
        else { return nil }
        let end = text.skip(from: index + 3) {
            isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
        var keyStart = index + 3
        if text.hasPrefixIgnoringCase("or-v1-", at: keyStart) && keyStart + 6 <= end {
            keyStart += 6
        } else if text.hasPrefixIgnoringCase("or-", at: keyStart) && keyStart + 3 <= end {
            keyStart += 3
        }
        guard end - keyStart >= Self.minimumKeyCharacters else { return nil }
        return Match(start: index, end: end, kind: .secret)
    }

    /// `ntk_` at a word start followed by at least 16 token characters: an API token of this appliance
    /// (`neural-terminal token create`), pasted into a message or a command line that ends up in a log.
    func matchApplianceToken(at index: Int, in text: UnsafeBufferPointer<UInt8>) -> Match? {
        guard text.hasPrefixIgnoringCase("ntk_", at: index), text.startsWord(at: index) else { return nil }
        let end = text.skip(from: index + 4) { isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
        guard end - (index + 4) >= Self.minimumKeyCharacters else { return nil }
        return Match(start: index, end: end, kind: .secret)
    }

    /// `Bearer` (any case) at a word start, blanks, then a token: the token is replaced, the word kept.
    func matchBearer(at index: Int, in text: UnsafeBufferPointer<UInt8>) -> Match? {
        guard text.hasPrefixIgnoringCase("bearer", at: index), text.startsWord(at: index) else { return nil }
        let afterWord = index + 6
        let tokenStart = text.skip(from: afterWord, while: isBlank)
        guard tokenStart > afterWord else { return nil }
        let tokenEnd = text.skip(from: tokenStart, while: isTokenByte)
        guard tokenEnd - tokenStart >= Self.minimumBearerToken else { return nil }
        return Match(start: tokenStart, end: tokenEnd, kind: .secret)
    }

    /// `Authorization` (any case, also inside `Proxy-Authorization`) followed by `:` or `=`, as a header line,
    /// a `key=value` pair or a JSON/quoted field. The value is replaced up to its closing quote or, when
    /// unquoted, up to the end of the line; a leading scheme word (`Basic`, `Bearer`, …) is kept.
    func matchAuthorization(at index: Int, in text: UnsafeBufferPointer<UInt8>) -> Match? {
        guard text.hasPrefixIgnoringCase("authorization", at: index), text.startsWord(at: index) else { return nil }
        var cursor = index + 13
        if cursor < text.count, isQuote(text[cursor]) { cursor += 1 }  // end of a quoted key: "authorization":
        // A key inside already-escaped JSON: \"authorization\":
        if cursor < text.count, text[cursor] == UInt8(ascii: "\\"),
           cursor + 1 < text.count, text[cursor + 1] == UInt8(ascii: "\"") { cursor += 2 }
        cursor = text.skip(from: cursor, while: isBlank)
        guard cursor < text.count, text[cursor] == UInt8(ascii: ":") || text[cursor] == UInt8(ascii: "=") else {
            return nil
        }
        cursor = text.skip(from: cursor + 1, while: isBlank)
        // Where the value ends: at its closing quote when quoted (also an escaped \"), else at the end of line.
        var stop: (UInt8) -> Bool = { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }
        if cursor < text.count, text[cursor] == UInt8(ascii: "\\"),
           cursor + 1 < text.count, text[cursor + 1] == UInt8(ascii: "\"") {
            cursor += 2
            stop = { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }
        } else if cursor < text.count, isQuote(text[cursor]) {
            let quote = text[cursor]
            cursor += 1
            stop = { $0 == quote || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }
        }
        let valueEnd = text.skip(from: cursor) { !stop($0) }
        // Keep a scheme word such as `Basic ` or `Bearer ` when more follows it.
        let schemeEnd = text.skip(from: cursor, while: isLetter)
        let credentialsStart = text.skip(from: schemeEnd, while: isBlank)
        if schemeEnd > cursor, schemeEnd - cursor <= 20, credentialsStart > schemeEnd, credentialsStart < valueEnd {
            cursor = credentialsStart
        }
        guard valueEnd > cursor else { return nil }
        return Match(start: cursor, end: valueEnd, kind: .secret)
    }
}

/// `"` or `'`.
@inline(__always) func isQuote(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
}

/// Bytes a bearer token is made of: printable ASCII except quotes, separators and brackets, so a token inside
/// JSON, a header list or prose ends where it should.
@inline(__always) func isTokenByte(_ byte: UInt8) -> Bool {
    guard byte > 0x20, byte < 0x7F else { return false }
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "<"),
         UInt8(ascii: ">"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"),
         UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "\\"):
        return false
    default:
        return true
    }
}
