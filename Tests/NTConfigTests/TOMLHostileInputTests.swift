import NTConfig
import Testing

@Suite("TOML reader on hostile input")
struct TOMLHostileInputTests {
    @Test("deeply nested arrays are refused, not a stack overflow")
    func deepArrays() {
        let errors = syntaxErrors("a = " + String(repeating: "[", count: 100_000))
        #expect(errors == ["test.toml:1: arrays and inline tables are nested more than 32 levels deep"])
        #expect(syntaxErrors("a = " + String(repeating: "{b = ", count: 10_000)).count == 1)
    }

    @Test("nesting up to the limit is fine")
    func nestingAtLimit() throws {
        let text = "a = " + String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(try toml(text)["a"] != nil)
    }

    @Test("very long dotted keys are refused")
    func longKeys() {
        let key = Array(repeating: "k", count: 1_000).joined(separator: ".")
        #expect(syntaxErrors("\(key) = 1").first?.contains("more than 16 dotted parts") == true)
    }

    @Test("unterminated constructs at end of file are errors", arguments: [
        "a = \"", "a = '", "a = \"\"\"", "a = '''x", "a = [", "a = [1,", "a = {", "a = {x", "a = {x =", "[a.", "a = \"\\",
        "a = \"\\u12", "\"k", "a.",
    ])
    func unterminated(text: String) {
        let errors = syntaxErrors(text)
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.hasPrefix("test.toml:1: ") == true, "\(errors)")
    }

    @Test("many broken lines stop after twenty errors")
    func errorCap() {
        let errors = syntaxErrors(String(repeating: "?\n", count: 1_000))
        #expect(errors.count == 21)
        #expect(errors.last == "test.toml:20: too many errors; giving up")
    }

    @Test("random bytes never crash the reader and every error has a file and line")
    func randomBytes() {
        var generator = SplitMix64(seed: 0x4E54)
        let alphabet = Array("ab=[]{}\"'.,#\n\r\t \\0x1e+-_:uU\u{0}\u{7F}é😀")
        for _ in 0..<2_000 {
            let length = Int(generator.next() % 80)
            let text = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            for error in syntaxErrors(text) {
                #expect(error.hasPrefix("test.toml:"), "\(error)")
            }
        }
    }
}

/// A tiny deterministic generator, so a failing random input can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
