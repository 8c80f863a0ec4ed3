#if canImport(Glibc)
import Glibc
#endif
import Logging
import NTLog
import Testing

/// The readable line: the JSON line's fields and redaction in a layout for people, never more than one line.
@Suite("Text log lines")
struct TextLogLineTests {
    static let time = LogTimestamp(seconds: 1_796_011_506, nanoseconds: 789_654_321)  // 2026-11-30T04:05:06.789Z
    let redactor = Redactor(secrets: ["hunter2-admin-pass"])

    func record(_ message: String, _ metadata: Logger.Metadata = [:], level: Logger.Level = .info) -> LogRecord {
        LogRecord(
            time: Self.time, level: level, message: message, worker: "web", pid: 4242, metadata: metadata,
            source: "WebWorker", file: "WebWorker/Chat.swift", line: 42
        )
    }

    func line(_ message: String, _ metadata: Logger.Metadata = [:], level: Logger.Level = .info) -> String {
        TextLogLine.format(record(message, metadata, level: level), redactor: redactor)
    }

    @Test("time, level, worker[pid] and message, then request_id and the other metadata sorted by key")
    func layout() throws {
        let text = line("turn done", ["model": "x/y", "request_id": "req-1", "cost": "0.001", "a": "1"])
        #expect(text == "2026-11-30T04:05:06.789Z info     web[4242]          turn done request_id=req-1 a=1 cost=0.001 model=x/y\n")
        #expect(line("x", level: .critical).hasPrefix("2026-11-30T04:05:06.789Z critical web[4242]          x"))
    }

    @Test("the same fields as the JSON line of the same event, in the same order")
    func sameFieldsAsJSON() throws {
        let metadata: Logger.Metadata = [
            "request_id": "r", "level": "fake", "a@example.com": "1", "b@example.com": "2", "list": ["a", "b"],
            "Authorization": "Basic abc", "nested": ["k": "v w"], "count": .stringConvertible(3),
        ]
        for level in [Logger.Level.debug, .info] {
            let json = try JSONValue.parse(String(JSONLogLine.format(record("m", metadata, level: level), redactor: redactor).dropLast()))
            let text = try TextLine.parse(line("m", metadata, level: level), message: "m")
            #expect(["ts", "level", "msg", "worker", "pid"] + text.keys == json.keys)
            for key in text.keys {
                switch json[key] {
                case .string(let value)?: #expect(text[key] == value, "\(key)")
                case .number(let value)?: #expect(text[key] == value, "\(key)")
                default: #expect(try JSONValue.parse(text[key] ?? "") == json[key], "\(key) as compact JSON")
                }
            }
        }
    }

    @Test("source, file and line close the line at trace and debug level only")
    func sourceLocation() throws {
        for level in [Logger.Level.trace, .debug] {
            let text = try TextLine.parse(line("detail", level: level), message: "detail")
            #expect(text.keys == ["source", "file", "line"])
            #expect(text["file"] == "WebWorker/Chat.swift")
            #expect(text["line"] == "42")
        }
        for level in [Logger.Level.info, .notice, .warning, .error, .critical] {
            #expect(try TextLine.parse(line("x", level: level), message: "x").keys.isEmpty)
        }
    }

    @Test("redaction holds: the message, values at any depth, keys, and values under credential keys")
    func redaction() throws {
        let text = line("login hunter2-admin-pass from jane@example.com", [
            "request": ["headers": ["x-trace": "Bearer abcdefgh12345678"], "body": ["pw hunter2-admin-pass"]],
            "jane@example.com": "key",
            "card": .stringConvertible("4111 1111 1111 1111"),
            "password": "correct horse",
            "note": "key sk-or-v1-0123456789abcdef0123456789abcdef in text",
        ])
        for leaked in ["hunter2", "jane@", "abcdefgh12345678", "4111", "correct horse", "0123456789abcdef"] {
            #expect(!text.contains(leaked), "\(leaked) leaked: \(text)")
        }
        let parsed = try TextLine.parse(text, message: "login [REDACTED:secret] from [REDACTED:email]")
        #expect(parsed["[REDACTED:email]"] == "key")
        #expect(parsed["card"] == "[REDACTED:card]")
        #expect(parsed["password"] == "[REDACTED:secret]")
        #expect(parsed["note"] == "key [REDACTED:secret] in text")
        #expect(parsed["request"] == #"{"body":["pw [REDACTED:secret]"],"headers":{"x-trace":"Bearer [REDACTED:secret]"}}"#)
    }

    @Test("values are bare when unambiguous and quoted when they hold spaces, quotes, = or nothing")
    func quoting() throws {
        let values: [String: String] = [
            "plain": "abc-1.2/x", "spaced": "two words", "quoted": #"say "hi""#, "equals": "a=b", "empty": "",
            "backslash": #"C:\dir"#, "tab": "a\tb",
        ]
        let text = line("m", values.mapValues { .string($0) })
        #expect(text.contains(" plain=abc-1.2/x"))
        #expect(text.contains(#" spaced="two words""#))
        #expect(text.contains(#" quoted="say \"hi\"""#))
        #expect(text.contains(#" equals="a=b""#))
        #expect(text.contains(#" empty="""#))
        #expect(text.contains(#" backslash=C:\dir"#))
        #expect(text.contains(#" tab="a\tb""#))
        let parsed = try TextLine.parse(text, message: "m")
        for (key, value) in values { #expect(parsed[key] == value, "\(key) reads back") }
        #expect(try TextLine.parse(line("m", ["two words": "v"]), message: "m")["two words"] == "v")
    }

    @Test("newlines, CR and terminal control sequences cannot break, forge or recolour a line")
    func oneLinePerEvent() throws {
        let forged = "ok\n2026-11-30T04:05:06.789Z critical web[1] forged\r\nmore\u{0}\u{1b}[31mred\u{7f}\u{9b}2J\u{2028}\u{202e}"
        let text = line(forged, ["user\nkey": "v\r\n\t\u{1b}]0;title\u{7}"], level: .debug)
        #expect(text.last == "\n")
        #expect(text.utf8.filter { $0 < 0x20 }.count == 1, "no control byte but the final newline: \(text.debugDescription)")
        #expect(!text.unicodeScalars.contains { (0x7F...0x9F).contains($0.value) || [0x2028, 0x202E].contains($0.value) })
        #expect(text.contains(#"ok\n2026-11-30T04:05:06.789Z critical web[1] forged\r\nmore\u0000\u001b[31mred\u007f\u009b2J\u2028\u202e"#))
        let parsed = try TextLine.parse(text, message: #"ok\n2026-11-30T04:05:06.789Z critical web[1] forged\r\nmore\u0000\u001b[31mred\u007f\u009b2J\u2028\u202e"#)
        #expect(parsed["user\nkey"] == "v\r\n\t\u{1b}]0;title\u{7}")
        #expect(parsed.keys == ["user\nkey", "source", "file", "line"])
    }

    @Test("non-ASCII text is written as UTF-8")
    func unicode() throws {
        #expect(line("東京 café 🚀", ["city": "東京"]).contains("東京 café 🚀 city=東京"))
    }

    @Test("colour wraps the level and dims the keys; without it no escape byte is written")
    func colour() throws {
        let plain = line("disk full", ["path": "/d"], level: .error)
        #expect(!plain.utf8.contains(0x1B))
        let coloured = TextLogLine.format(record("disk full", ["path": "/d"], level: .error), redactor: redactor, colour: true)
        #expect(coloured.contains("\u{1B}[31merror\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[2mpath=\u{1B}[0m/d"))
        let stripped = coloured.replacing(/\x{1B}\[[0-9;]*m/, with: "")
        #expect(stripped == plain)
    }

    @Test("every line is one line and reads back to the JSON line's values, whatever the metadata holds")
    func fuzzedLinesParse() throws {
        var random = SplitMix64(seed: 0x7E47)
        let alphabet: [Character] = ["a", "Z", "0", "9", " ", "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1b}", "\u{7f}",
                                     "=", "/", "{", "}", "é", "東", "🚀", "@", ".", "-", "+", ":", "\u{85}", "\u{2029}"]
        for _ in 0..<500 {
            let length = Int(random.next() % 40)
            let text = String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            let metadata: Logger.Metadata = ["k" + text: .string(text), "n": [text: .string(text)]]
            let json = try JSONValue.parse(String(JSONLogLine.format(record("m", metadata), redactor: redactor).dropLast()))
            let parsed = try TextLine.parse(line("m", metadata), message: "m")
            #expect(["ts", "level", "msg", "worker", "pid"] + parsed.keys == json.keys)
            for key in parsed.keys where key != "n" { #expect(json[key] == .string(parsed[key] ?? ""), "\(key)") }
            #expect(try JSONValue.parse(parsed["n"] ?? "") == json["n"])
        }
    }

    @Test("colour only on a terminal, and never when NO_COLOR is set to something")
    func colourChoice() {
        let saved = getenv("NO_COLOR").map { String(cString: $0) }
        defer { if let saved { setenv("NO_COLOR", saved, 1) } else { unsetenv("NO_COLOR") } }
        unsetenv("NO_COLOR")
        #expect(LogFormat.colourWanted(standardOutputIsTerminal: true))
        #expect(!LogFormat.colourWanted(standardOutputIsTerminal: false))
        setenv("NO_COLOR", "1", 1)
        #expect(!LogFormat.colourWanted(standardOutputIsTerminal: true))
        setenv("NO_COLOR", "", 1)
        #expect(LogFormat.colourWanted(standardOutputIsTerminal: true))
        #expect(LogFormat.automatic(standardOutputIsTerminal: true) == .text)
        #expect(LogFormat.automatic(standardOutputIsTerminal: false) == .json)
    }
}
