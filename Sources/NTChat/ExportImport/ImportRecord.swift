import FoundationEssentials

/// One record of an import file as decoded, before validation: a header, a conversation, or both (the
/// single-conversation document). Unknown fields are ignored.
struct ImportRecord: Decodable {
    var format: String?
    var version: Int?
    var conversation: ImportedConversation?
    var messages: [ImportedMessage]?
    /// Whether each message names its parent (a file written before messages formed a tree names none).
    var links: [ParentLink]?

    enum CodingKeys: String, CodingKey { case format, version, conversation, messages }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decodeIfPresent(String.self, forKey: .format)
        version = try c.decodeIfPresent(Int.self, forKey: .version)
        conversation = try c.decodeIfPresent(ImportedConversation.self, forKey: .conversation)
        messages = try c.decodeIfPresent([ImportedMessage].self, forKey: .messages)
        links = try c.decodeIfPresent([ParentLink].self, forKey: .messages)
    }
}

/// A message's `parent_id` as the file has it: absent (the format before trees: the message follows the one
/// listed before it), null (a first message) or an id.
struct ParentLink: Decodable {
    var given: Bool
    var parentID: String?

    enum CodingKeys: String, CodingKey { case parentID = "parent_id" }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        given = c.contains(.parentID)
        parentID = try c.decodeIfPresent(String.self, forKey: .parentID)
    }
}

struct ImportedConversation: Decodable {
    var id: String
    var title: String
    var model: String?
    var systemPrompt: String?
    var createdAt: String
    var updatedAt: String
    /// Absent in files from before trees: the last message is then the current leaf.
    var currentLeafID: String?

    enum CodingKeys: String, CodingKey {
        case id, title, model
        case systemPrompt = "system_prompt"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case currentLeafID = "current_leaf_id"
    }
}

/// A message as the file has it. Enumerations are strings here so that a bad value gets a message that names
/// the allowed ones.
struct ImportedMessage: Decodable {
    var id: String
    var conversationID: String?
    /// Read with its presence by ``ParentLink``; here only so the keys stay the exported ones.
    var parentID: String?
    /// Follows from the parents; ignored.
    var siblingIDs: [String]?
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
