#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// A swift-log handler that writes one redacted JSON object per line to stdout.
///
/// Line shape (keys in this order; see docs/adr/0004-log-format.md):
/// `{"ts":"2026-11-30T04:05:06.789Z","level":"info","msg":"…","worker":"web","pid":42,"request_id":"…",
/// <other metadata, keys sorted>,"source":"…","file":"…","line":7}` where `request_id` appears only when the
/// metadata has it and `source`/`file`/`line` only at trace and debug level. Metadata is the handler's own,
/// then the metadata provider's, then the call's (later wins); a logged `error` is added as `error` unless
/// the metadata already has that key. Metadata keys that clash with the fixed keys are written as
/// `meta.<key>`.
///
/// Everything that came from the caller (message, metadata keys and values, nested ones included) passes
/// through the current `Redactor` before it is written, and JSON escaping keeps CR, LF and other control
/// characters from ever breaking a line.
///
/// The level is not stored per handler: `logLevel` reads and writes a `LogLevelControl` (the process-wide
/// `LogLevelControl.shared` by default), so one change reaches every logger in the process.
public struct JSONLogHandler: LogHandler {
    /// Receives each finished line, newline included. The default writes to stdout; tests collect lines.
    public typealias Sink = @Sendable ([UInt8]) -> Void

    /// Keys the line itself uses; metadata under these names is renamed `meta.<key>`.
    static let reservedKeys: Set<String> = [
        "ts", "level", "msg", "worker", "pid", "request_id", "source", "file", "line",
    ]

    /// The metadata key whose value is written right after `pid` (the correlation id of a request).
    public static let requestIDKey = "request_id"

    /// The `Logger` label (not written; `source` carries the module at debug level).
    public let label: String
    /// The process role written as `worker`: supervisor, web, metrics, maintenance or cli.
    public let worker: String
    /// The process id written as `pid`, read when the handler is made.
    public let pid: Int32
    /// Metadata attached to every line of this handler (value semantics, as swift-log requires).
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata (for example task-local request data), read at every line.
    public var metadataProvider: Logger.MetadataProvider?
    /// Where the level is read from and written to.
    public let levelControl: LogLevelControl
    /// Where the redactor is read from, once per line.
    public let redaction: RedactionControl
    private let sink: Sink

    /// Creates a handler. Production code gets one through `NTLogging.bootstrap`; tests pass their own
    /// controls and sink so they neither touch process-wide state nor stdout.
    public init(
        label: String,
        worker: String,
        metadataProvider: Logger.MetadataProvider? = nil,
        levelControl: LogLevelControl = .shared,
        redaction: RedactionControl = .shared,
        sink: @escaping Sink = StandardOutput.writeLine
    ) {
        self.label = label
        self.worker = worker
        self.pid = getpid()
        self.metadataProvider = metadataProvider
        self.levelControl = levelControl
        self.redaction = redaction
        self.sink = sink
    }

    /// The process-wide level of `levelControl`: setting it changes the level of every handler sharing it.
    public var logLevel: Logger.Level {
        get { levelControl.level }
        set { levelControl.level = newValue }
    }

    /// One metadata value of this handler.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Formats `event` and hands the line to the sink (stdout by default).
    public func log(event: LogEvent) {
        sink(lineBytes(for: event, at: .now()))
    }

    /// The line this handler would write for `event` at `time`, newline included. A pure function of its
    /// inputs and of the current redactor; tests use it to check output without capturing stdout.
    public func format(_ event: LogEvent, at time: LogTimestamp) -> String {
        String(decoding: lineBytes(for: event, at: time), as: UTF8.self)
    }

    private func lineBytes(for event: LogEvent, at time: LogTimestamp) -> [UInt8] {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, new in new }
        }
        if let error = event.error, merged["error"] == nil {
            merged["error"] = .string(String(describing: error))
        }
        let withLocation = event.level <= .debug
        return Self.lineBytes(
            level: event.level, message: event.message.description, metadata: merged,
            source: withLocation ? event.source : "", file: event.file, line: event.line,
            worker: worker, pid: pid, time: time, redactor: redaction.redactor
        )
    }

    /// Formats one log line from its parts, newline included; the message, metadata keys and values are
    /// redacted with `redactor`. `source`, `file` and `line` are written only at trace and debug level.
    public static func format(
        level: Logger.Level, message: String, metadata: Logger.Metadata = [:],
        source: String = "", file: String = "", line: UInt = 0,
        worker: String, pid: Int32, time: LogTimestamp, redactor: Redactor
    ) -> String {
        let bytes = lineBytes(
            level: level, message: message, metadata: metadata, source: source, file: file, line: line,
            worker: worker, pid: pid, time: time, redactor: redactor
        )
        return String(decoding: bytes, as: UTF8.self)
    }

    static func lineBytes(
        level: Logger.Level, message: String, metadata: Logger.Metadata,
        source: String, file: String, line: UInt,
        worker: String, pid: Int32, time: LogTimestamp, redactor: Redactor
    ) -> [UInt8] {
        var json = JSONBuffer(capacity: 160 + message.utf8.count)
        json.beginObject()
        json.key("ts")
        json.raw([UInt8(ascii: "\"")] + time.rfc3339Bytes + [UInt8(ascii: "\"")])
        json.key("level")
        json.string(level.rawValue)
        json.key("msg")
        json.string(redactor.redact(message))
        json.key("worker")
        json.string(worker)
        json.key("pid")
        json.integer(pid)
        var rest = metadata
        if let requestID = rest.removeValue(forKey: requestIDKey) {
            json.key(requestIDKey)
            json.metadataValue(requestID, redactor: redactor)
        }
        json.members(of: rest, redactor: redactor, reserved: reservedKeys)
        if level <= .debug {
            json.key("source")
            json.string(source)
            json.key("file")
            json.string(file)
            json.key("line")
            json.integer(line)
        }
        json.endObject()
        json.endLine()
        return json.bytes
    }
}
