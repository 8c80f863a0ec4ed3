/// Every form in which a configured secret may come back from someone else: built once from the secrets, used by
/// the log `Redactor` and by `SecretStreamRedactor` on an upstream's answer text, so the two cannot disagree.
///
/// A secret is reduced to its *core*: an API key's random part without its `sk-or-v1-`, `sk-or-`, `sk-` or `ntk_`
/// prefix (when at least 16 characters remain), otherwise the whole secret. The forms matched are:
/// - the core in any letter case (so also the whole key, upper-cased, or with its prefix cut off);
/// - the core percent-encoded, when that differs from the core (any case of the hex digits);
/// - the core inside base64 text, standard and URL-safe alphabets, at each of the three byte offsets modulo 3 it
///   can have in the encoded text (`Bearer <key>`, the key alone, the key inside a JSON body…): the run of base64
///   characters that depend only on the core. The one character on each side of the run that mixes bits of the
///   core with its neighbours' stays; it holds at most 4 bits of the core's first or last byte.
///
/// Encoded forms are built only for cores of at least 16 bytes. Secrets shorter than 8 bytes are ignored (they
/// would hit ordinary words). The value is immutable and `Sendable`.
public struct SecretVariants: Sendable {
    /// One form of one secret.
    struct Pattern: Sendable {
        /// The bytes to find; letters are lowercase when `foldsCase`.
        let bytes: [UInt8]
        /// Whether ASCII letters match in either case (not for base64, where case is meaning).
        let foldsCase: Bool
    }

    /// Shortest secret considered at all.
    public static let minimumSecretBytes = 8
    /// Shortest core that gets encoded forms, and the shortest random part for a key prefix to be cut off.
    public static let minimumCoreBytes = 16
    /// Key prefixes cut off to find the core, longest first (lowercase; matched in any case).
    static let keyPrefixes: [[UInt8]] = ["sk-or-v1-", "sk-or-", "sk-", "ntk_"].map { Array($0.utf8) }

    /// Every form, longest first so that a longer form wins over one it contains.
    let patterns: [Pattern]
    /// Per byte value: whether some form starts with it (both cases for case-folding forms).
    let starts: [Bool]
    /// The longest form, in bytes.
    let longest: Int

    /// The forms of `secrets`; duplicates and secrets shorter than 8 bytes are dropped.
    public init(secrets: [String]) {
        var seen = Set<[UInt8]>()
        var patterns: [Pattern] = []
        func add(_ bytes: [UInt8], foldsCase: Bool) {
            let stored = foldsCase ? bytes.map(Self.lowercased) : bytes
            guard !stored.isEmpty, seen.insert(stored).inserted else { return }
            patterns.append(Pattern(bytes: stored, foldsCase: foldsCase))
        }
        for secret in secrets where secret.utf8.count >= Self.minimumSecretBytes {
            let core = Self.core(of: Array(secret.utf8))
            add(core, foldsCase: true)
            guard core.count >= Self.minimumCoreBytes else { continue }
            add(Self.percentEncoded(core), foldsCase: true)
            for offset in 0..<3 {
                let standard = Self.base64Run(of: core, offset: offset)
                add(standard, foldsCase: false)
                add(standard.map(Self.urlSafe), foldsCase: false)
            }
        }
        patterns.sort { $0.bytes.count > $1.bytes.count }
        var starts = [Bool](repeating: false, count: 256)
        for pattern in patterns {
            let first = pattern.bytes[0]
            starts[Int(first)] = true
            if pattern.foldsCase && isLetter(first) { starts[Int(first & ~0x20)] = true }
        }
        self.patterns = patterns
        self.starts = starts
        self.longest = patterns.first?.bytes.count ?? 0
    }

    /// True when there is no secret to look for.
    public var isEmpty: Bool { patterns.isEmpty }

    /// `s` with every form of every secret replaced by `[REDACTED:secret]`, and nothing else touched (no e-mail,
    /// number or generic key detection: for ids, model names and other fields an upstream sends). Returns `s`
    /// itself when nothing matched.
    public func redact(_ s: String) -> String {
        guard !patterns.isEmpty else { return s }
        var copy = s
        let replaced: [UInt8]? = copy.withUTF8 { text in
            guard text.contains(where: { starts[Int($0)] }) else { return nil }
            return redact(text, final: true).output
        }
        guard let replaced else { return s }
        return String(decoding: replaced, as: UTF8.self)
    }

    // MARK: matching

    /// The longest complete form at `index`, or nil.
    func match(at index: Int, in text: UnsafeBufferPointer<UInt8>) -> Match? {
        let remaining = text.count - index
        for pattern in patterns where pattern.bytes.count <= remaining && pattern.matches(text, at: index, length: pattern.bytes.count) {
            return Match(start: index, end: index + pattern.bytes.count, kind: .secret)
        }
        return nil
    }

    /// Whether `text[index...]`, which runs to the end of `text`, is the beginning of a longer form: the start of
    /// a secret whose rest has not arrived yet.
    func partialMatch(at index: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        let remaining = text.count - index
        guard remaining < longest else { return false }
        return patterns.contains { $0.bytes.count > remaining && $0.matches(text, at: index, length: remaining) }
    }

    /// Replaces every complete form in `text`. With `final` false (more text will follow), stops at the first
    /// place where a form may begin but `text` ends before it is decided, and returns that place as `held`: the
    /// caller keeps `text[held...]` back and puts it in front of the next piece. `output` is nil when nothing
    /// was replaced (then `text[..<held]` is the output).
    func redact(_ text: UnsafeBufferPointer<UInt8>, final: Bool) -> (output: [UInt8]?, held: Int) {
        var output: [UInt8] = []
        var replaced = false
        var emitted = 0
        var index = 0
        var held = text.count
        while index < text.count {
            guard starts[Int(text[index])] else {
                index += 1
                continue
            }
            if !final, partialMatch(at: index, in: text) {
                held = index
                break
            }
            guard let found = match(at: index, in: text) else {
                index += 1
                continue
            }
            if !replaced { output.reserveCapacity(text.count + 16) }
            replaced = true
            output.append(contentsOf: UnsafeBufferPointer(rebasing: text[emitted..<found.start]))
            output.append(contentsOf: RedactionKind.secret.marker)
            emitted = found.end
            index = found.end
        }
        guard replaced else { return (nil, held) }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: text[emitted..<held]))
        return (output, held)
    }
}

extension SecretVariants.Pattern {
    /// Whether the first `length` bytes of this form are at `index` in `text` (the caller checked the bounds).
    @inline(__always) func matches(_ text: UnsafeBufferPointer<UInt8>, at index: Int, length: Int) -> Bool {
        for offset in 0..<length {
            let byte = text[index + offset]
            let wanted = bytes[offset]
            if byte != wanted && !(foldsCase && isLetter(wanted) && byte | 0x20 == wanted) { return false }
        }
        return true
    }
}
