/// Removes the configured secrets (every form of `SecretVariants`) from text that arrives in pieces, such as an
/// upstream's streamed answer, where a secret may be split over any number of pieces.
///
/// Each piece is passed on at once, except the shortest tail that could still be the start of a secret: that
/// tail waits for the next piece (or `finish()`), so a secret is replaced whole however it was split and no
/// other text is delayed. Nothing but the configured secrets is touched: answers keep their e-mail addresses,
/// numbers and example keys.
///
/// Cheap on the hot path: a piece that holds no form and ends without one begun, while nothing is held back, is
/// returned as it is, without copying or allocating. One value per stream; not thread-safe.
public struct SecretStreamRedactor: Sendable {
    private let variants: SecretVariants
    /// The held-back tail: bytes that may be the beginning of a secret.
    private var pending: [UInt8] = []

    /// A redactor for one stream, looking for the forms in `variants`.
    public init(_ variants: SecretVariants) {
        self.variants = variants
    }

    /// Whether a tail is being held back.
    public var isHolding: Bool { !pending.isEmpty }

    /// The text to pass on for `piece`: redacted, without the tail that may begin a secret, with the tail held
    /// back before it in front. May be empty.
    public mutating func feed(_ piece: String) -> String {
        guard !variants.isEmpty else { return piece }
        if pending.isEmpty {
            // The common case: a token in which no form starts and none is left open at its end. Decided on the
            // piece's own bytes, so it passes on without a copy or an allocation.
            var copy = piece
            let untouched = copy.withUTF8 { text in
                guard text.contains(where: { variants.starts[Int($0)] }) else { return true }
                let (output, held) = variants.redact(text, final: false)
                return output == nil && held == text.count
            }
            if untouched { return piece }
        }
        pending.append(contentsOf: piece.utf8)
        return drain(final: false)
    }

    /// What is still held back, redacted: call it when the stream ends, however it ends.
    public mutating func finish() -> String {
        pending.isEmpty ? "" : drain(final: true)
    }

    private mutating func drain(final: Bool) -> String {
        let (text, held): (String, Int) = pending.withUnsafeBufferPointer { buffer in
            let (output, held) = variants.redact(buffer, final: final)
            let text = output.map { String(decoding: $0, as: UTF8.self) }
                ?? String(decoding: UnsafeBufferPointer(rebasing: buffer[..<held]), as: UTF8.self)
            return (text, held)
        }
        pending.removeFirst(held)
        return text
    }
}
