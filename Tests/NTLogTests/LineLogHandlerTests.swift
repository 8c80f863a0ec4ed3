import Logging
import NTLog
import Synchronization
import Testing

/// The handler as swift-log uses it: merged metadata, the process-wide level, lines handed to the sink.
@Suite("LineLogHandler")
struct LineLogHandlerTests {
    /// Collects the lines a handler writes instead of sending them to stdout.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func append(_ bytes: [UInt8]) { lines.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) } }
    }

    func makeHandler(
        _ lines: Lines, level: LogLevelControl, redaction: RedactionControl = RedactionControl(Redactor(secrets: [])),
        provider: Logger.MetadataProvider? = nil
    ) -> LineLogHandler {
        LineLogHandler(
            label: "test", worker: "maintenance", metadataProvider: provider, levelControl: level,
            redaction: redaction, sink: { lines.append($0) }
        )
    }

    @Test("handler metadata, provider metadata and call metadata merge, the call winning")
    func metadataMerging() throws {
        let provider = Logger.MetadataProvider { ["a": "provider", "p": "p"] }
        var logger = Logger(label: "t") { _ in makeHandler(Lines(), level: LogLevelControl(), provider: provider) }
        logger[metadataKey: "a"] = "handler"
        logger[metadataKey: "h"] = "h"
        let event = LogEvent(
            level: .info, message: "m", metadata: ["a": "call"], source: nil, file: "F.swift", function: "f()", line: 1
        )
        let handler = try #require(logger.handler as? LineLogHandler)
        let object = try JSONValue.parse(handler.format(event, at: LogTimestamp(seconds: 0)))
        #expect(object["a"] == .string("call"))
        #expect(object["h"] == .string("h"))
        #expect(object["p"] == .string("p"))
        #expect(object["worker"] == .string("maintenance"))
    }

    @Test("a logged error is written under the error key")
    func errors() throws {
        struct DiskFull: Error, CustomStringConvertible { var description: String { "disk full" } }
        let handler = makeHandler(Lines(), level: LogLevelControl())
        let event = LogEvent(
            level: .error, message: "backup failed", error: DiskFull(), metadata: nil, source: nil,
            file: "F.swift", function: "f()", line: 1
        )
        let object = try JSONValue.parse(handler.format(event, at: LogTimestamp(seconds: 0)))
        #expect(object["error"] == .string("disk full"))
    }

    @Test("changing the level control at run time takes effect for loggers that already exist")
    func runtimeLevel() throws {
        let lines = Lines()
        let control = LogLevelControl(.info)
        let logger = Logger(label: "t") { _ in makeHandler(lines, level: control) }
        logger.debug("hidden")
        logger.info("shown")
        control.level = .debug
        logger.debug("now shown")
        control.level = .error
        logger.warning("hidden again")
        let messages = try lines.all.map { try JSONValue.parse($0)["msg"] }
        #expect(messages == [.string("shown"), .string("now shown")])
        #expect(try JSONValue.parse(lines.all[1]).keys.contains("file"))
    }

    @Test("setting logLevel on one logger changes it for every logger sharing the control")
    func processWideLevel() {
        let control = LogLevelControl(.info)
        var first = Logger(label: "a") { _ in makeHandler(Lines(), level: control) }
        let second = Logger(label: "b") { _ in makeHandler(Lines(), level: control) }
        first.logLevel = .trace
        #expect(second.logLevel == .trace)
        #expect(control.level == .trace)
    }

    @Test("new secrets apply to the next line written")
    func secretsAtRuntime() throws {
        let lines = Lines()
        let redaction = RedactionControl(Redactor(secrets: []))
        let logger = Logger(label: "t") { _ in makeHandler(lines, level: LogLevelControl(), redaction: redaction) }
        logger.info("key rotated-secret-1")
        redaction.setSecrets(["rotated-secret-1"])
        logger.info("key rotated-secret-1")
        let messages = try lines.all.map { try JSONValue.parse($0)["msg"] }
        #expect(messages == [.string("key rotated-secret-1"), .string("key [REDACTED:secret]")])
    }

    @Test("bootstrap installs the JSON handler once and later calls only update level and secrets")
    func bootstrap() throws {
        NTLogging.bootstrap(worker: "cli", level: .notice, secrets: ["first-secret-value"])
        NTLogging.bootstrap(worker: "ignored", level: .warning, secrets: ["second-secret-value"])
        #expect(NTLogging.isBootstrapped)
        let logger = Logger(label: "bootstrap-test")
        let handler = try #require(logger.handler as? LineLogHandler)
        #expect(handler.worker == "cli")
        #expect(handler.format == .json, "JSON unless the caller chooses text")
        #expect(logger.logLevel == .warning)
        NTLogging.setLevel(.info)
        #expect(logger.logLevel == .info)
        NTLogging.setSecrets(["third-secret-value"])
        #expect(NTLogging.redactor.redact("third-secret-value second-secret-value")
            == "[REDACTED:secret] second-secret-value")
        NTLogging.setSecrets([])
    }
}

/// The handler in text format: the same merged metadata and redaction control, text lines to the sink.
@Suite("LineLogHandler in text format")
struct LineLogHandlerTextTests {
    @Test("a text handler writes one redacted text line per event, with the merged metadata")
    func textLines() throws {
        let lines = LineLogHandlerTests.Lines()
        let redaction = RedactionControl(Redactor(secrets: ["rotated-secret-1"]))
        var logger = Logger(label: "t") { _ in
            LineLogHandler(
                label: "t", worker: "web", format: .text, levelControl: LogLevelControl(), redaction: redaction,
                sink: { lines.append($0) }
            )
        }
        logger[metadataKey: "h"] = "handler"
        logger.info("key rotated-secret-1\nnext", metadata: ["request_id": "r1", "note": "two words"])
        #expect(lines.all.count == 1)
        let line = try #require(lines.all.first)
        let parsed = try TextLine.parse(line, message: #"key [REDACTED:secret]\nnext"#)
        #expect(parsed.worker == "web")
        #expect(parsed.level == "info")
        #expect(parsed.keys == ["request_id", "h", "note"])
        #expect(parsed["note"] == "two words")
        #expect(!line.utf8.contains(0x1B), "no colour unless asked")
    }
}
