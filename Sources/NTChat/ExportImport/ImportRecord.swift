import FoundationEssentials

/// One record of an import file as decoded, before validation: a header, a conversation, or both (the
/// single-conversation document). Unknown fields are ignored.
struct ImportRecord: Decodable {
    var format: String?
    var version: Int?
    var conversation: ImportedConversation?
    var messages: [ImportedMessage]?

    enum CodingKeys: String, CodingKey { case format, version, conversation, messages }
}

struct ImportedConversation: Decodable {
    var id: String
    var title: String
    var model: String?
    var systemPrompt: String?
    var createdAt: String
    var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, title, model
        case systemPrompt = "system_prompt"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// A message as the file has it. Enumerations are strings here so that a bad value gets a message that names
/// the allowed ones.
struct ImportedMessage: Decodable {
    var id: String
    var conversationID: String?
    var role: String
    var content: String
    var reasoning: String?
    var model: String?
    var status: String
    var finishReason: String?
    var promptTokens: Int?
    var completionTokens: Int?
    var reasoningTokens: Int?
    var cachedTokens: Int?
    var costUSD: Double?
    var costSource: String?
    var ttftMs: Int?
    var durationMs: Int?
    var generationID: String?
    var requestID: String?
    var error: String?
    var createdAt: String
    var updatedAt: String

    /// The wire names are the exported ones, so they come from the one place that defines them.
    typealias CodingKeys = Message.CodingKeys
}

/// A validation failure inside one record (the importer adds the line).
struct ImportProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

extension DecodingError {
    /// `messages[3].status: expected a string` rather than the decoder's debug text.
    var importDescription: String {
        func path(_ codingPath: [any CodingKey]) -> String {
            var out = ""
            for key in codingPath {
                if let index = key.intValue { out += "[\(index)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
            }
            return out
        }
        func name(_ type: Any.Type) -> String {
            let described = String(describing: type)
            if type == String.self { return "a string" }
            if type == Int.self { return "a whole number" }
            if type == Double.self { return "a number" }
            if type == Bool.self { return "true or false" }
            return described.hasPrefix("Array") ? "an array" : "an object"
        }
        switch self {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath).isEmpty ? "the record" : path(context.codingPath)): expected \(name(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): must be \(name(type)), not null"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): is missing"
        case .dataCorrupted(let context):
            let at = path(context.codingPath)
            return (at.isEmpty ? "" : at + ": ") + "not valid JSON (\(context.debugDescription))"
        @unknown default:
            return "\(self)"
        }
    }
}
