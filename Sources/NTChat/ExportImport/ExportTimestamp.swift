import NTSystem

/// The one timestamp form an import accepts: the one the appliance writes (``Identifiers/now()``), RFC 3339 in
/// UTC to the millisecond, `2026-11-30T05:00:00.000Z`, naming a real date and time.
///
/// One fixed form means timestamps compare correctly as text, which is how the database orders them and how an
/// import decides which copy of a message is newer; an offset (`+05:00`) or a missing fraction would sort wrong.
enum ExportTimestamp {
    static let example = "2026-11-30T05:00:00.000Z"

    /// What is wrong with `value`, as the end of a sentence, or nil if it is a valid timestamp: the form
    /// ``RFC3339/Fields/canonical`` writes, naming a real date and time.
    static func problem(_ value: String) -> String? {
        let fields = RFC3339.parse(value)
        if fields?.offsetMinutes != nil {
            return "has a UTC offset: only UTC times ending in Z are accepted, as the export writes them (such as \(example))"
        }
        guard let fields, fields.canonical == value else {
            return "is not a timestamp as the export writes it (RFC 3339 in UTC to the millisecond, such as \(example))"
        }
        return fields.isRealDateTime ? nil : "is not a real date and time"
    }
}
