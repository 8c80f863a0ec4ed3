/// One value read from a TOML document, with the line of the key that introduced it.
///
/// The line is what makes `file:line:` error messages possible after parsing: the schema reports a wrong type or
/// an out-of-range number at the line where the operator wrote the key, not where the parser happened to be.
public struct TOMLValue: Sendable, Equatable {
    /// The TOML type and payload. Dates and times are not part of the supported subset (see ADR 0002).
    public enum Kind: Sendable, Equatable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case boolean(Bool)
        case array([TOMLValue])
        case table(TOMLTable)
    }

    /// The type and payload.
    public var kind: Kind
    /// 1-based line of the key (for array elements: of the element; for tables: of the header or first dotted key).
    public var line: Int

    /// Creates a value; the parser is the usual producer.
    public init(_ kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
    }

    /// A short name of the type for messages: "a string", "an integer", "a table".
    public var typeDescription: String {
        switch kind {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .array: "an array"
        case .table: "a table"
        }
    }
}

/// A TOML table: keys in document order plus lookup by key.
///
/// Order is kept so that errors found while walking a table come out in the order the operator wrote them.
public struct TOMLTable: Sendable, Equatable {
    /// Keys in the order they first appeared in the document.
    public private(set) var keys: [String] = []
    /// Values by key.
    public private(set) var entries: [String: TOMLValue] = [:]

    /// An empty table.
    public init() {}

    /// The value at `key`, if any.
    public subscript(key: String) -> TOMLValue? { entries[key] }

    /// Adds or replaces a value. Duplicate detection is the parser's job, not this type's.
    public mutating func set(_ key: String, _ value: TOMLValue) {
        if entries.updateValue(value, forKey: key) == nil { keys.append(key) }
    }

    /// The value at a dotted path of keys (`["server", "listen"]`), if every step exists and is a table.
    public func value(at path: [String]) -> TOMLValue? {
        guard let first = path.first, let value = entries[first] else { return nil }
        if path.count == 1 { return value }
        guard case .table(let table) = value.kind else { return nil }
        return table.value(at: Array(path.dropFirst()))
    }
}

/// A parsed TOML document: the root table.
///
/// Parsing never crashes on hostile input; every syntax error comes back as `file:line: message`. Recovery goes
/// on at the next line after an error in a one-line statement, so several typos are reported in one run; an
/// error inside an array, inline table or multi-line string ends parsing, because the next line is not a
/// trustworthy place to resume.
public struct TOMLDocument: Sendable, Equatable {
    /// The top-level table.
    public let root: TOMLTable

    /// Parses `text`; `file` is used only to prefix error messages.
    public init(parsing text: String, file: String) throws(ConfigErrors) {
        var parser = TOMLParser(text: text, file: file)
        let (root, errors) = parser.parseDocument()
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        self.root = root
    }
}
