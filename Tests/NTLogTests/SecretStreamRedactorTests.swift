import NTLog
import Testing

/// A key split over the pieces of a stream is still replaced whole, and nothing else is held back.
@Suite("Redacting a key split over a stream")
struct SecretStreamRedactorTests {
    let variants = Redactor(secrets: [KeyForms.key]).variants

    /// Feeds `pieces` and returns what was passed on for each, the last element being `finish()`.
    func run(_ pieces: [String]) -> [String] {
        var stream = SecretStreamRedactor(variants)
        return pieces.map { stream.feed($0) } + [stream.finish()]
    }

    @Test("every form, split in two at every position, comes out as the whole text redacted", arguments: KeyForms.all)
    func everySplit(form: KeyForms.Form) {
        let text = "Here: \(form.text), done."
        let whole = variants.redact(text)
        #expect(whole.contains("[REDACTED:secret]"))
        let bytes = Array(text.utf8)
        for cut in 0...bytes.count {
            let pieces = [String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self)]
            let out = run(pieces)
            #expect(out.joined() == whole, "cut at \(cut)")
            for piece in out { #expect(!KeyForms.leaks(piece, form), "cut at \(cut): \(piece)") }
        }
    }

    @Test("every form, in pieces of 1 to 7 bytes, comes out as the whole text redacted", arguments: KeyForms.all)
    func smallPieces(form: KeyForms.Form) {
        let text = "Before \(form.text) and after"
        for size in 1...7 {
            var pieces: [String] = []
            var rest = Substring(text)
            while !rest.isEmpty {
                pieces.append(String(rest.prefix(size)))
                rest = rest.dropFirst(size)
            }
            let out = run(pieces)
            #expect(out.joined() == variants.redact(text), "pieces of \(size)")
            #expect(!KeyForms.leaks(out.joined(), form))
        }
    }

    @Test("text that cannot start the key passes at once, unchanged")
    func noDelay() {
        var stream = SecretStreamRedactor(variants)
        for piece in ["Hello", ", world!", " No hex here,", " 🙂 ünïcödé"] {
            #expect(stream.feed(piece) == piece)
            #expect(!stream.isHolding)
        }
        #expect(stream.finish() == "")
    }

    @Test("only the shortest tail that could begin the key waits, and is released when the next piece rules it out")
    func shortestTail() {
        var stream = SecretStreamRedactor(variants)
        #expect(stream.feed("hash 7f") == "hash ")  // "7f" begins the secret
        #expect(stream.feed("3a9c") == "")  // "7f3a9c" still could
        #expect(stream.feed("ff and more") == "7f3a9cff and more")  // no longer: everything goes
        #expect(stream.feed("x 7") == "x ")
        #expect(stream.finish() == "7")  // the stream ended: the tail is ordinary text
    }

    @Test("a key split over many pieces among other text, and two keys in a row")
    func manyPieces() {
        let secret = KeyForms.secret
        let pieces = ["The key ", String(secret.prefix(5)), String(secret.dropFirst(5).prefix(30)), String(secret.dropFirst(35)),
                      " and again ", KeyForms.key.uppercased(), KeyForms.key, "."]
        #expect(run(pieces).joined() == "The key [REDACTED:secret] and again SK-OR-V1-[REDACTED:secret]sk-or-v1-[REDACTED:secret].")
    }

    @Test("without configured secrets every piece passes as it is")
    func noSecrets() {
        var stream = SecretStreamRedactor(Redactor(secrets: []).variants)
        #expect(stream.feed(KeyForms.secret) == KeyForms.secret)
        #expect(stream.finish() == "")
    }
}
