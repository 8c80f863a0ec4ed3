/// A strict reader of the text log line for the tests: the fixed head (time, level, worker[pid]) and the
/// `key=value` pairs after a message, undoing the quoting `TextLineBuffer` applies. Throws on anything the
/// format does not produce (an unterminated quote, a bad escape, a pair without `=`).
struct TextLine {
    var time: String
    var level: String
    var worker: String
    var pid: String
    var message: String
    var pairs: [(key: String, value: String)]

    var keys: [String] { pairs.map(\.key) }

    subscript(key: String) -> String? { pairs.first { $0.key == key }?.value }

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    /// Parses `line` (newline included) whose message is `message`, as the test knows it after escaping: the
    /// message is not quoted, so where the pairs begin cannot be told from the line alone.
    static func parse(_ line: String, message: String) throws -> TextLine {
        guard line.hasSuffix("\n"), line.utf8.filter({ $0 == 10 }).count == 1 else {
            throw ParseError(description: "not exactly one line: \(line.debugDescription)")
        }
        let body = Array(line.unicodeScalars.dropLast())
        var index = 0
        func word() -> String {
            var text = ""
            while index < body.count, body[index] != " " { text.unicodeScalars.append(body[index]); index += 1 }
            while index < body.count, body[index] == " " { index += 1 }
            return text
        }
        let time = word()
        let level = word()
        let workerAndPID = word()
        guard let open = workerAndPID.firstIndex(of: "["), workerAndPID.hasSuffix("]") else {
            throw ParseError(description: "no worker[pid] in \(line.debugDescription)")
        }
        let rest = String(String.UnicodeScalarView(body[index...]))
        guard rest.hasPrefix(message) else {
            throw ParseError(description: "message \(message.debugDescription) not found in \(rest.debugDescription)")
        }
        var reader = PairReader(scalars: Array(rest.dropFirst(message.count).unicodeScalars))
        return TextLine(
            time: time, level: level, worker: String(workerAndPID[..<open]),
            pid: String(workerAndPID[workerAndPID.index(after: open)...].dropLast()), message: message,
            pairs: try reader.pairs()
        )
    }

    private struct PairReader {
        let scalars: [Unicode.Scalar]
        var index = 0

        mutating func pairs() throws -> [(key: String, value: String)] {
            var result: [(key: String, value: String)] = []
            while index < scalars.count {
                guard scalars[index] == " " else { throw ParseError(description: "expected a space at \(index)") }
                index += 1
                let key = try token(endingAt: "=")
                guard index < scalars.count, scalars[index] == "=" else { throw ParseError(description: "no = after \(key)") }
                index += 1
                result.append((key, try token(endingAt: " ")))
            }
            return result
        }

        mutating func token(endingAt end: Unicode.Scalar) throws -> String {
            var text = ""
            guard index < scalars.count, scalars[index] == "\"" else {
                while index < scalars.count, scalars[index] != end { text.unicodeScalars.append(scalars[index]); index += 1 }
                if text.isEmpty { throw ParseError(description: "empty bare token at \(index)") }
                return text
            }
            index += 1
            while index < scalars.count, scalars[index] != "\"" {
                if scalars[index] == "\\" {
                    index += 1
                    guard index < scalars.count else { break }
                    switch scalars[index] {
                    case "n": text += "\n"
                    case "r": text += "\r"
                    case "t": text += "\t"
                    case "\"", "\\": text.unicodeScalars.append(scalars[index])
                    case "u":
                        guard index + 4 < scalars.count,
                              let value = UInt32(String(String.UnicodeScalarView(scalars[(index + 1)...(index + 4)])), radix: 16),
                              let scalar = Unicode.Scalar(value)
                        else { throw ParseError(description: "bad \\u escape at \(index)") }
                        text.unicodeScalars.append(scalar)
                        index += 4
                    default: throw ParseError(description: "bad escape at \(index)")
                    }
                } else {
                    text.unicodeScalars.append(scalars[index])
                }
                index += 1
            }
            guard index < scalars.count else { throw ParseError(description: "unterminated quote") }
            index += 1
            return text
        }
    }
}
