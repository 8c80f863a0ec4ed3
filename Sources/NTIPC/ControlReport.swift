import FoundationEssentials

/// A report that travels as one line of JSON over the control and worker sockets (`backup`, `restore`, `archive`),
/// and that `--json` prints: snake_case keys, sorted, so the CLI, the supervisor and the workers agree on it.
public protocol ControlReport: Codable {}

extension ControlReport {
    /// One line of JSON (a fixed refusal if the value cannot be encoded, which does not happen for these types).
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? #"{"ok":false,"error":"unencodable"}"#
    }

    /// Reads what ``encoded()`` wrote. Anything else (an empty answer from an appliance that stopped mid-request,
    /// an `error: …` line) throws ``ControlAnswerError``, whose description is a sentence, never a decoder dump.
    public static func decode(_ text: String) throws -> Self {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(Self.self, from: Data(text.utf8))
        } catch {
            throw ControlAnswerError(answer: text)
        }
    }
}

/// An answer on the control socket that is not the report the caller asked for.
public struct ControlAnswerError: Error, Sendable, CustomStringConvertible {
    /// The answer as received.
    public let answer: String

    /// Wraps an answer the caller could not read as the report it expected.
    public init(answer: String) { self.answer = answer }

    public var description: String {
        let text = String(String(answer.drop(while: \.isWhitespace).reversed()).drop(while: \.isWhitespace).reversed())
        if text.isEmpty {
            return "the appliance ended the request without an answer (it may have stopped; see its log and `neural-terminal status`)"
        }
        let shown = text.count > 200 ? String(text.prefix(200)) + "…" : text
        if text.hasPrefix("error: ") { return "the appliance refused the request: " + String(shown.dropFirst(7)) }
        return "the appliance's answer is not a report this version understands: \(shown)"
    }
}
