import NTConfig

/// Parses `text` as `test.toml` and returns the root table; fails the test on a syntax error.
func toml(_ text: String) throws -> TOMLTable {
    try TOMLDocument(parsing: text, file: "test.toml").root
}

/// The value at a dotted path such as `"a.b"` (keys in tests are bare, so splitting on dots is safe).
func value(_ text: String, _ path: String) throws -> TOMLValue.Kind? {
    try toml(text).value(at: path.split(separator: ".").map(String.init))?.kind
}

/// The syntax errors `text` produces, rendered as `file:line: message`; empty if it parses.
func syntaxErrors(_ text: String) -> [String] {
    do {
        _ = try TOMLDocument(parsing: text, file: "test.toml")
        return []
    } catch {
        return error.errors.map(\.description)
    }
}
