import Logging

/// The content of one log event once the handler has merged its metadata: what both line formats write.
///
/// `JSONLogLine` and `TextLogLine` take the same record and the same redactor, so a JSON line and a text line of
/// one event carry the same fields with the same redactions; only the layout differs (docs/adr/0004-log-format.md).
public struct LogRecord: Sendable {
    /// When the event was logged (`ts`).
    public var time: LogTimestamp
    /// Its level (`level`).
    public var level: Logger.Level
    /// The message as logged, before redaction (`msg`).
    public var message: String
    /// The process role (`worker`): supervisor, web, metrics, maintenance or cli.
    public var worker: String
    /// The process id (`pid`).
    public var pid: Int32
    /// The merged metadata, before redaction; `request_id` is written first, the rest sorted by key.
    public var metadata: Logger.Metadata
    /// The module that logged (`source`), written at trace and debug level only, like `file` and `line`.
    public var source: String
    /// The source file that logged (`file`).
    public var file: String
    /// The source line that logged (`line`).
    public var line: UInt

    /// A record from its parts; tests build one to format a fixed event.
    public init(
        time: LogTimestamp, level: Logger.Level, message: String, worker: String, pid: Int32,
        metadata: Logger.Metadata = [:], source: String = "", file: String = "", line: UInt = 0
    ) {
        self.time = time
        self.level = level
        self.message = message
        self.worker = worker
        self.pid = pid
        self.metadata = metadata
        self.source = source
        self.file = file
        self.line = line
    }

    /// Whether `source`, `file` and `line` belong in the line: at trace and debug level only.
    var showsLocation: Bool { level <= .debug }
}
