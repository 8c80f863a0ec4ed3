/// Removes secrets and personal data from text before it leaves the process (log lines, stored error
/// messages, anything the chat engine echoes back).
///
/// What is replaced, and by what:
/// - the configured secrets in every form of `SecretVariants` (any case, without their key prefix,
///   percent-encoded, inside base64; secrets shorter than 8 characters are ignored because they would match
///   ordinary words), `sk-…` API keys (OpenRouter `sk-or-v1-…`, `sk-or-…`, OpenAI `sk-…`, with at least
///   16 key characters), the token after `Bearer` (case-insensitive, the word itself is kept, tokens shorter than 8
///   characters are left alone as probable prose) and the value of an `Authorization` header or field (its
///   scheme word is kept) → `[REDACTED:secret]`;
/// - email addresses → `[REDACTED:email]`;
/// - phone numbers → `[REDACTED:phone]`: `+` international forms with 8–15 digits, and domestic forms that carry
///   at least one separator (space, `-`, `.`, parentheses): North-American `555-123-4567` shapes and
///   trunk-prefixed `0…` numbers with 10–15 digits;
/// - card numbers → `[REDACTED:card]`: 13–19 digits starting with 2–6, plain or grouped by spaces or dashes,
///   that pass the Luhn check.
///
/// The scanner is hand-written over UTF-8 bytes (no regex engine) and deliberately conservative about numbers:
/// timestamps, ISO dates, times, ports, IP addresses, pids, UUIDs, version strings and durations such as `123ms`
/// are left alone. Only ASCII ranges are ever replaced, so valid UTF-8 stays valid. Text without anything to
/// redact is returned as is, without copying.
///
/// The value is immutable and `Sendable`; build a new one to change the secrets (see `NTLogging.setSecrets`).
public struct Redactor: Sendable {
    /// The configured secrets in every form they may take (see `SecretVariants`), built once per set of secrets.
    public let variants: SecretVariants
    /// Per-byte trigger flags: the static classes of `ByteClass` plus `ByteClass.secretStart`.
    let triggers: [UInt8]

    /// Creates a redactor that also removes the given secrets (for example the configured API key and the
    /// metrics token) in every form `SecretVariants` knows: any letter case, without a key prefix,
    /// percent-encoded, inside base64. Duplicates and secrets shorter than 8 bytes are dropped.
    public init(secrets: [String]) {
        let variants = SecretVariants(secrets: secrets)
        var table = ByteClass.table
        for byte in 0..<256 where variants.starts[byte] { table[byte] |= ByteClass.secretStart }
        self.variants = variants
        self.triggers = table
    }

    /// Returns `s` with every secret, email address, phone number and card number replaced by a
    /// `[REDACTED:kind]` marker. Returns `s` itself when nothing matched.
    public func redact(_ s: String) -> String {
        var copy = s
        let replaced: [UInt8]? = copy.withUTF8 { scan($0) }
        guard let replaced else { return s }
        return String(decoding: replaced, as: UTF8.self)
    }

    /// The scanning loop: finds the leftmost match at each position and splices its marker into the output.
    /// Returns nil when nothing matched, so callers can keep the original text.
    func scan(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        var emitted = 0  // text[..<emitted] is already in `output` (or replaced)
        var index = 0
        let count = text.count
        while index < count {
            let flags = triggers[Int(text[index])]
            if flags == 0 {
                index += 1
                continue
            }
            guard let found = match(at: index, flags: flags, in: text, emitted: emitted) else {
                index += 1
                continue
            }
            if output.isEmpty { output.reserveCapacity(count + 32) }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: text[emitted..<found.start]))
            output.append(contentsOf: found.kind.marker)
            emitted = found.end
            index = max(found.end, index + 1)
        }
        guard !output.isEmpty else { return nil }  // every marker is non-empty, so empty means no match
        output.append(contentsOf: UnsafeBufferPointer(rebasing: text[emitted..<count]))
        return output
    }

    /// Tries every detector whose trigger byte is at `index`, most specific first.
    private func match(at index: Int, flags: UInt8, in text: UnsafeBufferPointer<UInt8>, emitted: Int) -> Match? {
        if flags & ByteClass.secretStart != 0, let found = matchSecret(at: index, in: text) { return found }
        if flags & ByteClass.keyStart != 0, let found = matchAPIKey(at: index, in: text) { return found }
        if flags & ByteClass.bearerStart != 0, let found = matchBearer(at: index, in: text) { return found }
        if flags & ByteClass.authorizationStart != 0, let found = matchAuthorization(at: index, in: text) {
            return found
        }
        if flags & ByteClass.at != 0, let found = matchEmail(at: index, in: text, emitted: emitted) { return found }
        if flags & ByteClass.numberStart != 0, let found = matchNumber(at: index, in: text) { return found }
        return nil
    }

    /// A configured secret, in any of its forms, at `index` (no word-boundary rule: a secret is a secret anywhere).
    private func matchSecret(at index: Int, in text: UnsafeBufferPointer<UInt8>) -> Match? {
        variants.match(at: index, in: text)
    }
}

/// A range of the input to replace, and by which marker.
struct Match {
    var start: Int
    var end: Int
    var kind: RedactionKind
}

/// The kinds of replacement marker.
enum RedactionKind {
    case secret, email, phone, card

    /// The marker's bytes, e.g. `[REDACTED:secret]`.
    var marker: [UInt8] {
        switch self {
        case .secret: RedactionKind.secretMarker
        case .email: RedactionKind.emailMarker
        case .phone: RedactionKind.phoneMarker
        case .card: RedactionKind.cardMarker
        }
    }

    private static let secretMarker = Array("[REDACTED:secret]".utf8)
    private static let emailMarker = Array("[REDACTED:email]".utf8)
    private static let phoneMarker = Array("[REDACTED:phone]".utf8)
    private static let cardMarker = Array("[REDACTED:card]".utf8)
}
