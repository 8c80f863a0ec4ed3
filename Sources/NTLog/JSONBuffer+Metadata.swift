import Logging

/// Writing swift-log metadata as JSON, redacting every key and value on the way.
extension JSONBuffer {
    /// Keys whose values are credentials whatever they look like; their values are replaced wholesale.
    /// Compared case-insensitively, at every nesting level.
    static let sensitiveKeys: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key", "api_key",
        "apikey", "password", "passwd", "secret", "client_secret",
    ]

    /// Writes `value`: strings and string-convertibles as redacted JSON strings, arrays and dictionaries
    /// recursively.
    mutating func metadataValue(_ value: Logger.MetadataValue, redactor: Redactor) {
        switch value {
        case .string(let string):
            self.string(redactor.redact(string))
        case .stringConvertible(let convertible):
            self.string(redactor.redact(convertible.description))
        case .array(let elements):
            beginArray()
            for element in elements {
                beginElement()
                metadataValue(element, redactor: redactor)
            }
            endArray()
        case .dictionary(let dictionary):
            beginObject()
            members(of: dictionary, redactor: redactor)
            endObject()
        }
    }

    /// Writes the members of `metadata` (without braces) in a stable order: keys are redacted, renamed to
    /// `meta.<key>` when they collide with `reserved`, made unique with a `#2`, `#3`… suffix when redaction
    /// made two of them equal, and sorted.
    mutating func members(of metadata: Logger.Metadata, redactor: Redactor, reserved: Set<String> = []) {
        for (key, value) in Self.orderedEntries(metadata, redactor: redactor, reserved: reserved) {
            self.key(key)
            if Self.sensitiveKeys.contains(key.lowercased()) {
                self.string("[REDACTED:secret]")
            } else {
                metadataValue(value, redactor: redactor)
            }
        }
    }

    /// The entries of `metadata` under their final, unique output keys, sorted by key.
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
}
