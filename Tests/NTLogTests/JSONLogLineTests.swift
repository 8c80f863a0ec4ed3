import Logging
import NTLog
import Testing

/// What one log line looks like: one JSON object, fixed keys first, redacted metadata, never a broken line.
@Suite("JSON log lines")
struct JSONLogLineTests {
    static let time = LogTimestamp(seconds: 1_796_011_506, nanoseconds: 789_654_321)  // 2026-11-30T04:05:06.789Z
    let redactor = Redactor(secrets: ["hunter2-admin-pass"])

    func line(_ message: String, _ metadata: Logger.Metadata = [:], level: Logger.Level = .info) -> String {
        JSONLogLine.format(
            LogRecord(
                time: Self.time, level: level, message: message, worker: "web", pid: 4242, metadata: metadata,
                source: "WebWorker", file: "WebWorker/Chat.swift", line: 42
            ),
            redactor: redactor
        )
    }

    func parsed(_ line: String) throws -> JSONValue {
        #expect(line.last == "\n")
        #expect(line.utf8.filter { $0 == 10 || $0 == 13 }.count == 1, "exactly one line break, at the end")
        return try JSONValue.parse(String(line.dropLast()))
    }

    @Test("fixed keys come first in order, then request_id, then the other metadata sorted by key")
    func keyOrder() throws {
        let object = try parsed(line("turn done", ["model": "x/y", "request_id": "req-1", "cost": "0.001", "a": "1"]))
        #expect(object.keys == ["ts", "level", "msg", "worker", "pid", "request_id", "a", "cost", "model"])
        #expect(object["ts"] == .string("2026-11-30T04:05:06.789Z"))
        #expect(object["level"] == .string("info"))
        #expect(object["msg"] == .string("turn done"))
        #expect(object["worker"] == .string("web"))
        #expect(object["pid"] == .number("4242"))
        #expect(object["request_id"] == .string("req-1"))
    }

    @Test("source, file and line are added at trace and debug level only")
    func sourceLocation() throws {
        for level in [Logger.Level.trace, .debug] {
            let object = try parsed(line("detail", level: level))
            #expect(object.keys == ["ts", "level", "msg", "worker", "pid", "source", "file", "line"])
            #expect(object["file"] == .string("WebWorker/Chat.swift"))
            #expect(object["line"] == .number("42"))
        }
        for level in [Logger.Level.info, .notice, .warning, .error, .critical] {
            #expect(try parsed(line("x", level: level)).keys == ["ts", "level", "msg", "worker", "pid"])
        }
    }

    @Test("metadata values keep their shape: strings, arrays and dictionaries; other values become strings")
    func metadataShapes() throws {
        let object = try parsed(line("m", [
            "count": .stringConvertible(42), "list": ["a", "b"], "nested": ["inner": ["deep": "v"]], "empty": [:],
        ]))
        #expect(object["count"] == .string("42"))
        #expect(object["list"] == .array([.string("a"), .string("b")]))
        #expect(object["nested"]?["inner"]?["deep"] == .string("v"))
        #expect(object["empty"] == .object([]))
    }

    @Test("secrets are redacted in the message and in metadata values at any depth, and in keys")
    func redactsEverywhere() throws {
        let object = try parsed(line("login hunter2-admin-pass from jane@example.com", [
            "request": ["headers": ["x-trace": "Bearer abcdefgh12345678"], "body": ["pw hunter2-admin-pass"]],
            "jane@example.com": "key",
            "card": .stringConvertible("4111 1111 1111 1111"),
        ]))
        #expect(object["msg"] == .string("login [REDACTED:secret] from [REDACTED:email]"))
        #expect(object["request"]?["headers"]?["x-trace"] == .string("Bearer [REDACTED:secret]"))
        #expect(object["request"]?["body"]?[0] == .string("pw [REDACTED:secret]"))
        #expect(object["[REDACTED:email]"] == .string("key"))
        #expect(object["card"] == .string("[REDACTED:card]"))
    }

    @Test("values under credential keys are replaced whatever they look like")
    func sensitiveKeys() throws {
        let object = try parsed(line("upstream", ["headers": ["Authorization": "Basic abc", "Cookie": "sid=1"]]))
        #expect(object["headers"]?["Authorization"] == .string("[REDACTED:secret]"))
        #expect(object["headers"]?["Cookie"] == .string("[REDACTED:secret]"))
    }

    @Test("metadata keys that clash with the line's own keys are renamed, never duplicated")
    func reservedKeys() throws {
        let object = try parsed(line("m", ["level": "fake", "pid": "1", "msg": "spoof"]))
        #expect(object.keys == ["ts", "level", "msg", "worker", "pid", "meta.level", "meta.msg", "meta.pid"])
        #expect(object["level"] == .string("info"))
    }

    @Test("keys that redaction makes equal stay distinct")
    func collidingRedactedKeys() throws {
        let object = try parsed(line("m", ["a@example.com": "1", "b@example.com": "2"]))
        #expect(object.keys.suffix(2) == ["[REDACTED:email]", "[REDACTED:email]#2"])
    }

    @Test("CR, LF and other control characters cannot break or forge a line")
    func lineInjection() throws {
        let forged = "ok\n{\"ts\":\"x\",\"level\":\"critical\",\"msg\":\"forged\"}\r\nmore\u{0}\u{1b}[31m\u{7f}"
        let text = line(forged, ["user\nkey": "v\r\n\t\u{1}"])
        #expect(text.contains("ok\\n{\\\"ts\\\""))
        #expect(text.contains("\\u0000\\u001b[31m"))
        let object = try parsed(text)
        #expect(object["msg"] == .string(forged))
        #expect(object["user\nkey"] == .string("v\r\n\t\u{1}"))
    }

    @Test("non-ASCII text is written as UTF-8, not escaped")
    func unicode() throws {
        let text = line("東京 café 🚀")
        #expect(text.contains("\"msg\":\"東京 café 🚀\""))
        #expect(try parsed(text)["msg"] == .string("東京 café 🚀"))
    }

    @Test("every line parses as JSON, whatever bytes the message and metadata hold")
    func fuzzedLinesParse() throws {
        var random = SplitMix64(seed: 0x5EED)
        let alphabet: [Character] = ["a", "Z", "0", "9", " ", "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1f}", "\u{7f}",
                                     "/", "{", "}", "é", "東", "🚀", "@", ".", "-", "+", ":"]
        for _ in 0..<500 {
            let length = Int(random.next() % 40)
            let text = String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            let object = try parsed(line(text, [text: [.string(text), [text: .string(text)]]], level: .debug))
            #expect(object.keys.prefix(5) == ["ts", "level", "msg", "worker", "pid"])
        }
    }
}

/// A small deterministic generator so the fuzz test is repeatable.
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
