import Logging

/// Writing swift-log metadata as JSON, redacting every key and value on the way.
extension JSONBuffer {
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

    /// Writes the members of `metadata` (without braces) in `LogFields.orderedEntries`' order, values under
    /// credential keys replaced.
    mutating func members(of metadata: Logger.Metadata, redactor: Redactor) {
        members(LogFields.orderedEntries(metadata, redactor: redactor, reserved: []), redactor: redactor)
    }

    /// Writes `entries` (final keys, in order) as members, values under credential keys replaced.
    mutating func members(_ entries: [(key: String, value: Logger.MetadataValue)], redactor: Redactor) {
        for (key, value) in entries {
            self.key(key)
            if LogFields.isSensitive(key) {
                self.string(LogFields.redactedSecret)
            } else {
                metadataValue(value, redactor: redactor)
            }
        }
    }
}
