import NTConfig
import Testing

@Suite("TOML tables, keys, arrays")
struct TOMLStructureTests {
    @Test("an empty document and a document of comments are empty tables")
    func empty() throws {
        #expect(try toml("").keys.isEmpty)
        #expect(try toml("# only a comment\n\n   \n# another\r\n").keys.isEmpty)
    }

    @Test("headers, dotted headers and quoted keys build nested tables")
    func headers() throws {
        let text = """
            top = 1
            [server]
            listen = "a"
            [a.b]
            c = 2
            [ "quoted key" . 'x y' ]
            z = 3
            """
        #expect(try value(text, "top") == .integer(1))
        #expect(try value(text, "server.listen") == .string("a"))
        #expect(try value(text, "a.b.c") == .integer(2))
        #expect(try toml(text).value(at: ["quoted key", "x y", "z"])?.kind == .integer(3))
    }

    @Test("dotted keys create tables, with spaces allowed around the dots")
    func dottedKeys() throws {
        let text = "fruit . color = 'red'\nfruit.size.cm = 4\n[fruit.apple]\nx = 1"
        #expect(try value(text, "fruit.color") == .string("red"))
        #expect(try value(text, "fruit.size.cm") == .integer(4))
        #expect(try value(text, "fruit.apple.x") == .integer(1))
    }

    @Test("every value remembers the line of its key")
    func lines() throws {
        let table = try toml("\n# comment\na = 1\n[s]\n\nb = [\n 1,\n 2]\nc = 'x'")
        #expect(table["a"]?.line == 3)
        #expect(table["s"]?.line == 4)
        #expect(table.value(at: ["s", "b"])?.line == 6)
        #expect(table.value(at: ["s", "c"])?.line == 9)
    }

    @Test("keys keep document order")
    func order() throws {
        #expect(try toml("z = 1\na = 2\nm = 3").keys == ["z", "a", "m"])
    }

    @Test("arrays span lines, hold comments, allow a trailing comma and mixed types")
    func arrays() throws {
        let text = "a = [\n  1, # one\n  'two',\n  [3.0],\n  {x = true},\n]"
        guard case .array(let items)? = try value(text, "a") else { Issue.record("not an array"); return }
        #expect(items.map(\.kind) == [
            .integer(1), .string("two"), .array([TOMLValue(.float(3), line: 4)]),
            .table(try toml("\n\n\n\nx = true")),
        ])
        #expect(items.map(\.line) == [2, 3, 4, 5])
        #expect(try value("e = []", "e") == .array([]))
    }

    @Test("inline tables hold dotted keys and stay on one line")
    func inlineTables() throws {
        #expect(try value("p = { x = 1, y.z = 2 }", "p.y.z") == .integer(2))
        #expect(try value("p = {}", "p") == .table(TOMLTable()))
        #expect(syntaxErrors("p = { x = 1, }").first == "test.toml:1: trailing comma is not allowed in an inline table")
        #expect(syntaxErrors("p = { x = 1\n}").first == "test.toml:1: an inline table must be closed with '}' on the same line")
    }

    @Test("duplicate keys are errors at the second occurrence", arguments: [
        ("a = 1\na = 2", "test.toml:2: duplicate key 'a' (already an integer at line 1)"),
        ("a = 1\n\"a\" = 2", "test.toml:2: duplicate key 'a' (already an integer at line 1)"),
        ("p = {x = 1, x = 2}", "test.toml:1: duplicate key 'x' (already an integer at line 1)"),
        ("[t]\nk = 1\n[t]", "test.toml:3: table [t] is defined twice (first at line 1)"),
        ("a.b = 1\n[a]", "test.toml:2: table [a] was already defined by dotted keys at line 1"),
        ("[a.b]\nx = 1\n[a]\nb.y = 2", "test.toml:4: cannot add 'b.y' with dotted keys: 'b' is already a table at line 1"),
        ("a = 1\n[a]", "test.toml:2: cannot define table [a]: 'a' is already an integer at line 1"),
        ("a = {x = 1}\n[a.b]", "test.toml:2: cannot define table [a.b]: 'a' is already an inline table at line 1"),
        ("a = {x = 1}\na.y = 2", "test.toml:2: cannot add 'a.y' with dotted keys: 'a' is already an inline table at line 1"),
        ("[a]\nb = 1\n[a.b]", "test.toml:3: cannot define table [a.b]: 'a.b' is already an integer at line 2"),
    ])
    func redefinitions(text: String, expected: String) {
        #expect(syntaxErrors(text) == [expected])
    }

    @Test("a header may define a table first created implicitly by a deeper header")
    func implicitThenExplicit() throws {
        #expect(try value("[a.b]\nx = 1\n[a]\ny = 2", "a.y") == .integer(2))
    }

    @Test("statements must end at the end of the line")
    func trailingJunk() {
        #expect(syntaxErrors("a = 1 2") == ["test.toml:1: expected end of line, found '2'"])
        #expect(syntaxErrors("[t] x") == ["test.toml:1: expected end of line, found 'x'"])
        #expect(syntaxErrors("a = 1 # fine\nb = 2 ; no") == ["test.toml:2: expected end of line, found ';'"])
    }

    @Test("malformed statements name what was expected", arguments: [
        ("= 1", "test.toml:1: expected a key, found '='"),
        ("a 1", "test.toml:1: expected '=' after key 'a', found '1'"),
        ("a =", "test.toml:1: expected a value, found end of file"),
        ("a = # c", "test.toml:1: expected a value, found '#'"),
        ("[t", "test.toml:1: expected ']' to close the table header, found end of file"),
        ("[]", "test.toml:1: expected a key, found ']'"),
        ("[[servers]]", "test.toml:1: arrays of tables ([[...]]) are not supported"),
        ("a = [1 2]", "test.toml:1: expected ',' or ']' in array, found '2'"),
        ("a = 1\rb = 2", "test.toml:1: expected end of line, found a carriage return not followed by a newline"),
    ])
    func malformed(text: String, expected: String) {
        #expect(syntaxErrors(text) == [expected])
    }

    @Test("one-line mistakes are all reported, each at its own line")
    func recovery() {
        let text = "a = \"x\n[ok]\nb = 1 1\n[bad\nc = 1\nd = nope"
        #expect(syntaxErrors(text) == [
            "test.toml:1: unterminated string: missing closing '\"' before end of line (use \"\"\" for multi-line strings)",
            "test.toml:3: expected end of line, found '1'",
            "test.toml:4: expected ']' to close the table header, found end of line",
            #"test.toml:6: invalid value 'nope' (strings must be quoted: "nope")"#,
        ])
    }

    @Test("an error inside a multi-line array stops parsing rather than guessing where the array ends")
    func noRecoveryInsideArrays() {
        #expect(syntaxErrors("a = [\n1,\n?\n]\nb = ?") == ["test.toml:3: expected a value, found '?'"])
    }
}
