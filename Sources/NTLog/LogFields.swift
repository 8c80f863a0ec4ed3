import Logging

/// The metadata part of a log line, shared by both formats: which keys the line itself uses, which values are
/// credentials whatever they look like, and the order and final names of the metadata keys.
enum LogFields {
    /// The metadata key whose value is written right after `pid` (the correlation id of a request).
    static let requestIDKey = "request_id"

    /// Keys the line itself uses; metadata under these names is renamed `meta.<key>`.
    static let reservedKeys: Set<String> = [
        "ts", "level", "msg", "worker", "pid", "request_id", "source", "file", "line",
    ]

    /// Keys whose values are credentials whatever they look like; their values are replaced wholesale.
    /// Compared case-insensitively, at every nesting level.
    static let sensitiveKeys: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key", "api_key",
        "apikey", "password", "passwd", "secret", "client_secret",
    ]

    /// What a value under one of `sensitiveKeys` is written as.
    static let redactedSecret = "[REDACTED:secret]"

    /// Whether the value under `key` (an output key) is replaced by `redactedSecret`.
    static func isSensitive(_ key: String) -> Bool {
        sensitiveKeys.contains(key.lowercased())
    }

    /// The entries of `metadata` under their final, unique output keys, sorted by key: keys are redacted, renamed
    /// to `meta.<key>` when they collide with `reserved`, and made unique with a `#2`, `#3`… suffix when
    /// redaction made two of them equal. Values are returned as given (the caller redacts them).
    static func orderedEntries(
        _ metadata: Logger.Metadata, redactor: Redactor, reserved: Set<String>
    ) -> [(key: String, value: Logger.MetadataValue)] {
        let renamed = metadata.map { entry -> (key: String, original: String, value: Logger.MetadataValue) in
            var key = redactor.redact(entry.key)
            if reserved.contains(key) { key = "meta." + key }
            return (key, entry.key, entry.value)
        }.sorted { ($0.key, $0.original) < ($1.key, $1.original) }
        var used = Set<String>()
        var result: [(key: String, value: Logger.MetadataValue)] = []
        result.reserveCapacity(renamed.count)
        for entry in renamed {
            var key = entry.key
            var suffix = 2
            while !used.insert(key).inserted {
                key = entry.key + "#\(suffix)"
                suffix += 1
            }
            result.append((key, entry.value))
        }
        return result
    }

    /// The line's metadata in output order: `request_id` first when present (under its own name), then the
    /// other entries as `orderedEntries` gives them.
    static func lineEntries(
        _ metadata: Logger.Metadata, redactor: Redactor
    ) -> (requestID: Logger.MetadataValue?, rest: [(key: String, value: Logger.MetadataValue)]) {
        var rest = metadata
        let requestID = rest.removeValue(forKey: requestIDKey)
        return (requestID, orderedEntries(rest, redactor: redactor, reserved: reservedKeys))
    }
}
