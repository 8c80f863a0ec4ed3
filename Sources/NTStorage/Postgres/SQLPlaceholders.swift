/// SQLite's parameter placeholders rewritten as PostgreSQL's, so one SQL text serves both engines.
///
/// `?N` becomes `$N`; a bare `?` takes the number after the largest used so far, exactly as SQLite numbers it.
/// Question marks inside string literals, quoted identifiers and comments are left alone.
public enum SQLPlaceholders {
    public static func postgres(_ sql: String) -> String {
        var output = ""
        output.reserveCapacity(sql.utf8.count + 8)
        var largest = 0
        var chars = Array(sql.unicodeScalars)[...]
        while let char = chars.popFirst() {
            switch char {
            case "'", "\"":
                output.unicodeScalars.append(char)
                while let inner = chars.popFirst() {
                    output.unicodeScalars.append(inner)
                    if inner == char { break }
                }
            case "-" where chars.first == "-":
                output.unicodeScalars.append(char)
                while let inner = chars.popFirst() {
                    output.unicodeScalars.append(inner)
                    if inner == "\n" { break }
                }
            case "?":
                var digits = ""
                while let next = chars.first, ("0"..."9").contains(next) {
                    digits.unicodeScalars.append(next)
                    chars.removeFirst()
                }
                let number = Int(digits) ?? (largest + 1)
                largest = max(largest, number)
                output += "$\(number)"
            default:
                output.unicodeScalars.append(char)
            }
        }
        return output
    }
}
