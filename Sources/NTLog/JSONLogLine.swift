/// The JSON form of a log line: one object, keys in a fixed order (docs/adr/0004-log-format.md).
///
/// `{"ts":"2026-11-30T04:05:06.789Z","level":"info","msg":"…","worker":"web","pid":42,"request_id":"…",
/// <other metadata, keys sorted>,"source":"…","file":"…","line":7}` where `request_id` appears only when the
/// metadata has it and `source`/`file`/`line` only at trace and debug level. Metadata keys that clash with the
/// fixed keys are written as `meta.<key>`. The message and every metadata key and value pass through the
/// redactor, and JSON escaping keeps CR, LF and other control characters from ever breaking a line.
public enum JSONLogLine {
    /// The line for `record`, newline included, redacted with `redactor`.
    public static func format(_ record: LogRecord, redactor: Redactor) -> String {
        String(decoding: bytes(record, redactor: redactor), as: UTF8.self)
    }

    /// The line for `record` as UTF-8 bytes, newline included.
    static func bytes(_ record: LogRecord, redactor: Redactor) -> [UInt8] {
        var json = JSONBuffer(capacity: 160 + record.message.utf8.count)
        json.beginObject()
        json.key("ts")
        json.raw([UInt8(ascii: "\"")] + record.time.rfc3339Bytes + [UInt8(ascii: "\"")])
        json.key("level")
        json.string(record.level.rawValue)
        json.key("msg")
        json.string(redactor.redact(record.message))
        json.key("worker")
        json.string(record.worker)
        json.key("pid")
        json.integer(record.pid)
        let (requestID, rest) = LogFields.lineEntries(record.metadata, redactor: redactor)
        if let requestID {
            json.key(LogFields.requestIDKey)
            json.metadataValue(requestID, redactor: redactor)
        }
        json.members(rest, redactor: redactor)
        if record.showsLocation {
            json.key("source")
            json.string(record.source)
            json.key("file")
            json.string(record.file)
            json.key("line")
            json.integer(record.line)
        }
        json.endObject()
        json.endLine()
        return json.bytes
    }
}
