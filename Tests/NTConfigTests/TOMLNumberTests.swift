import NTConfig
import Testing

@Suite("TOML numbers and booleans")
struct TOMLNumberTests {
    @Test("decimal integers take signs and underscores between digits", arguments: [
        ("0", Int64(0)), ("+99", 99), ("-17", -17), ("1_000_000", 1_000_000),
        ("9223372036854775807", .max), ("-9223372036854775808", .min),
    ])
    func decimal(text: String, expected: Int64) throws {
        #expect(try value("n = \(text)", "n") == .integer(expected))
    }

    @Test("hexadecimal, octal and binary integers", arguments: [
        ("0xDEAD_beef", Int64(0xDEAD_BEEF)), ("0o755", 0o755), ("0b1101", 13), ("0x7FFFFFFFFFFFFFFF", .max),
    ])
    func radix(text: String, expected: Int64) throws {
        #expect(try value("n = \(text)", "n") == .integer(expected))
    }

    @Test("floats with fractions, exponents, infinities", arguments: [
        ("3.14", 3.14), ("-0.01", -0.01), ("5e+22", 5e22), ("1e06", 1e6), ("-2E-2", -0.02),
        ("6.626e-34", 6.626e-34), ("224_617.445_991", 224_617.445_991), ("inf", .infinity), ("-inf", -.infinity),
    ])
    func floats(text: String, expected: Double) throws {
        #expect(try value("x = \(text)", "x") == .float(expected))
    }

    @Test("nan is a float")
    func notANumber() throws {
        guard case .float(let x)? = try value("x = -nan", "x") else { Issue.record("not a float"); return }
        #expect(x.isNaN)
    }

    @Test("booleans are lower-case true and false")
    func booleans() throws {
        #expect(try value("a = true\nb = false", "a") == .boolean(true))
        #expect(try value("a = true\nb = false", "b") == .boolean(false))
        #expect(syntaxErrors("a = True").first == #"test.toml:1: invalid value 'True' (strings must be quoted: "True")"#)
    }

    @Test("malformed numbers are errors naming the text", arguments: [
        ("012", "leading zeros"), ("1__0", "invalid number"), ("_1", "invalid value"), ("1_", "invalid number"),
        ("1.", "a digit must follow"), (".5", "a digit must precede"), ("1e", "exponent needs digits"),
        ("0x", "invalid integer"), ("0xG1", "invalid digit"), ("+0x10", "invalid number"),
        ("0x8000000000000000", "does not fit"), ("9223372036854775808", "does not fit"), ("1.2.3", "invalid number"),
    ])
    func malformed(text: String, fragment: String) {
        let errors = syntaxErrors("n = \(text)")
        #expect(errors.count == 1)
        #expect(errors.first?.contains(fragment) == true, "\(errors)")
    }

    @Test("dates are outside the supported subset and say so")
    func dates() {
        #expect(syntaxErrors("d = 1979-05-27").first?.contains("dates and times are not supported") == true)
        #expect(syntaxErrors("t = 07:32:00").first?.contains("dates and times are not supported") == true)
    }

    @Test("unquoted words suggest quoting")
    func bareWord() {
        #expect(syntaxErrors("level = info") == [#"test.toml:1: invalid value 'info' (strings must be quoted: "info")"#])
    }
}
