/// PostgreSQL's text form of an array, for passing many values as one parameter (`CAST(? AS text[])`, then
/// `unnest`): one statement and one round trip instead of one per value.
public enum PostgresArrayLiteral {
    /// `{"a","b\"c"}`: every element quoted, with `"` and `\` escaped by a backslash (so commas, braces, spaces,
    /// newlines and the word NULL are plain text).
    public static func text(_ values: [String]) -> String {
        var literal = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { literal += "," }
            literal += "\""
            for char in value.unicodeScalars {
                if char == "\"" || char == "\\" { literal += "\\" }
                literal.unicodeScalars.append(char)
            }
            literal += "\""
        }
        return literal + "}"
    }
}
