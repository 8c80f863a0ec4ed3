import Logging

/// The human-readable form of a log line, for a terminal (docs/adr/0004-log-format.md):
///
///     2026-11-30T04:05:06.789Z info     web[42]            turn done request_id=7f3a… model=x/y note="two words"
///
/// Time, level (padded to 8 characters), worker and pid (padded to 18, so messages line up), the message, then the same metadata as the JSON line
/// as `key=value` pairs in the same order (`request_id` first, the rest sorted; `source`, `file` and `line` last,
/// at trace and debug level only), with the same redaction. Values with spaces, quotes, `=` or control
/// characters are quoted; arrays and dictionaries are written as compact JSON. Nothing in the message or the
/// metadata can end the line or reach the terminal as a control sequence (see `TextLineBuffer`).
///
/// With `colour`, the level is coloured with ANSI SGR codes (error red, warning yellow, …) and keys are dimmed;
/// the text itself is unchanged.
public enum TextLogLine {
    /// The line for `record`, newline included, redacted with `redactor`.
    public static func format(_ record: LogRecord, redactor: Redactor, colour: Bool = false) -> String {
        String(decoding: bytes(record, redactor: redactor, colour: colour), as: UTF8.self)
    }

    /// The line for `record` as UTF-8 bytes, newline included.
    static func bytes(_ record: LogRecord, redactor: Redactor, colour: Bool) -> [UInt8] {
        var text = TextLineBuffer(capacity: 96 + record.message.utf8.count)
        text.raw(record.time.rfc3339)
        text.raw(" ")
        let level = record.level.rawValue
        text.raw(colour ? style(for: record.level) + level + reset : level)
        text.raw(String(repeating: " ", count: max(1, 9 - level.utf8.count)))
        let start = text.bytes.count
        text.token(record.worker)
        text.raw("[\(record.pid)]")
        text.raw(String(repeating: " ", count: max(1, 19 - (text.bytes.count - start))))
        text.message(redactor.redact(record.message))

        let (requestID, rest) = LogFields.lineEntries(record.metadata, redactor: redactor)
        func pair(_ key: String, _ value: String) {
            text.raw(" ")
            if colour { text.raw(dim) }
            text.token(key)
            text.raw("=")
            if colour { text.raw(reset) }
            text.token(value)
        }
        if let requestID { pair(LogFields.requestIDKey, valueText(requestID, redactor: redactor)) }
        for (key, value) in rest {
            pair(key, LogFields.isSensitive(key) ? LogFields.redactedSecret : valueText(value, redactor: redactor))
        }
        if record.showsLocation {
            pair("source", record.source)
            pair("file", record.file)
            pair("line", String(record.line))
        }
        text.endLine()
        return text.bytes
    }

    /// A metadata value as text: strings redacted, arrays and dictionaries as redacted compact JSON.
    static func valueText(_ value: Logger.MetadataValue, redactor: Redactor) -> String {
        switch value {
        case .string(let string):
            return redactor.redact(string)
        case .stringConvertible(let convertible):
            return redactor.redact(convertible.description)
        case .array, .dictionary:
            var json = JSONBuffer(capacity: 64)
            json.metadataValue(value, redactor: redactor)
            return String(decoding: json.bytes, as: UTF8.self)
        }
    }

    private static let reset = "\u{1B}[0m"
    private static let dim = "\u{1B}[2m"

    private static func style(for level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "\u{1B}[2m"
        case .info: "\u{1B}[32m"
        case .notice: "\u{1B}[36m"
        case .warning: "\u{1B}[33m"
        case .error: "\u{1B}[31m"
        case .critical: "\u{1B}[1;31m"
        }
    }
}
