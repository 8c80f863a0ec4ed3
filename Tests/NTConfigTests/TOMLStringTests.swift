import NTConfig
import Testing

@Suite("TOML strings")
struct TOMLStringTests {
    @Test("basic strings understand every TOML escape")
    func basicEscapes() throws {
        let text = #"s = "tab\tnl\nbs\\q\"b\bf\fcr\r e\u00E9 smile\U0001F600""#
        #expect(try value(text, "s") == .string("tab\tnl\nbs\\q\"b\u{8}f\u{C}cr\r eé smile😀"))
    }

    @Test("unknown escapes, short \\u escapes and surrogates are errors on their line")
    func badEscapes() {
        #expect(syntaxErrors("\n s = \"a\\qb\"").first?.hasPrefix("test.toml:2: invalid escape sequence") == true)
        #expect(syntaxErrors(#"s = "\u12""#).first?.contains("exactly 4 hexadecimal digits") == true)
        #expect(syntaxErrors(#"s = "\uD800""#).first?.contains("not a Unicode scalar") == true)
    }

    @Test("literal strings are taken verbatim")
    func literal() throws {
        #expect(try value(#"p = 'C:\Users\nt'"#, "p") == .string(#"C:\Users\nt"#))
    }

    @Test("multi-line basic strings drop the first newline and honour line-ending backslashes")
    func multiLineBasic() throws {
        let text = "s = \"\"\"\nRoses\n  are \\\n     red\"\"\"\n"
        #expect(try value(text, "s") == .string("Roses\n  are red"))
    }

    @Test("multi-line strings may end with up to two extra quotes")
    func quotesBeforeClosing() throws {
        #expect(try value(#"s = """say "hi"""""#, "s") == .string(#"say "hi""#))
        #expect(try value("s = '''it''s'''", "s") == .string("it''s"))
    }

    @Test("multi-line literal strings keep backslashes and newlines")
    func multiLineLiteral() throws {
        #expect(try value("s = '''\nfirst \\n\nsecond'''", "s") == .string("first \\n\nsecond"))
    }

    @Test("a line after a multi-line string is counted correctly")
    func linesAfterMultiLine() {
        #expect(syntaxErrors("a = \"\"\"\n1\n2\n\"\"\"\nb = ?") == ["test.toml:5: expected a value, found '?'"])
    }

    @Test("single-line strings may not run past the end of the line")
    func unterminated() {
        #expect(syntaxErrors("a = \"open\nb = 1").first?.hasPrefix("test.toml:1: unterminated string") == true)
        #expect(syntaxErrors("a = 'open").first?.hasPrefix("test.toml:1: unterminated literal string") == true)
        #expect(syntaxErrors("\n\na = \"\"\"never closed\n\n").first == "test.toml:3: unterminated multi-line string starting here")
    }

    @Test("control characters must be escaped")
    func controlCharacters() {
        #expect(syntaxErrors("a = \"x\u{1}y\"").first?.contains("control character U+0001") == true)
        #expect(syntaxErrors("# bell \u{7}").first?.contains("control character U+0007 in comment") == true)
    }
}
