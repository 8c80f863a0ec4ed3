#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// A swift-log handler that writes one redacted line per event to stdout: a JSON object (`JSONLogLine`, the
/// default) or a readable line (`TextLogLine`), as `format` says. See docs/adr/0004-log-format.md.
///
/// Metadata is the handler's own, then the metadata provider's, then the call's (later wins); a logged `error`
/// is added as `error` unless the metadata already has that key. Everything that came from the caller
/// (message, metadata keys and values, nested ones included) passes through the current `Redactor` before it
/// is written, in either format, and neither format lets CR, LF or other control characters break a line.
///
/// The level is not stored per handler: `logLevel` reads and writes a `LogLevelControl` (the process-wide
/// `LogLevelControl.shared` by default), so one change reaches every logger in the process.
public struct LineLogHandler: LogHandler {
    /// Receives each finished line, newline included. The default writes to stdout; tests collect lines.
    public typealias Sink = @Sendable ([UInt8]) -> Void

    /// The metadata key whose value is written right after `pid` (the correlation id of a request).
    public static let requestIDKey = LogFields.requestIDKey

    /// The `Logger` label (not written; `source` carries the module at debug level).
    public let label: String
    /// The process role written as `worker`: supervisor, web, metrics, maintenance or cli.
    public let worker: String
    /// The process id written as `pid`, read when the handler is made.
    public let pid: Int32
    /// JSON or text.
    public let format: LogFormat
    /// Whether text lines colour the level (ignored for JSON); see `LogFormat.colourWanted`.
    public let colour: Bool
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
        format: LogFormat = .json,
        colour: Bool = false,
        metadataProvider: Logger.MetadataProvider? = nil,
        levelControl: LogLevelControl = .shared,
        redaction: RedactionControl = .shared,
        sink: @escaping Sink = StandardOutput.writeLine
    ) {
        self.label = label
        self.worker = worker
        self.pid = getpid()
        self.format = format
        self.colour = colour
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

    /// The record of `event`: the handler's, provider's and call's metadata merged, the error added.
    public func record(of event: LogEvent, at time: LogTimestamp) -> LogRecord {
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
        // `source` is derived from the file name on every read: only read it where the line shows it.
        return LogRecord(
            time: time, level: event.level, message: event.message.description, worker: worker, pid: pid,
            metadata: merged, source: event.level <= .debug ? event.source : "", file: event.file, line: event.line
        )
    }

    private func lineBytes(for event: LogEvent, at time: LogTimestamp) -> [UInt8] {
        let record = record(of: event, at: time)
        switch format {
        case .json: return JSONLogLine.bytes(record, redactor: redaction.redactor)
        case .text: return TextLogLine.bytes(record, redactor: redaction.redactor, colour: colour)
        }
    }
}
