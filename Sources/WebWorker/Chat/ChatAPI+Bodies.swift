import NTChat

/// Request bodies of the chat API (snake_case JSON). Unknown fields are ignored; wrong types are a 400.
struct NewConversationBody: Decodable {
    var title: String?
    var model: String?
    var systemPrompt: String?

    enum CodingKeys: String, CodingKey {
        case title, model
        case systemPrompt = "system_prompt"
    }
}

struct ConversationPatchBody: Decodable {
    var title: String?
    var model: String??
    var systemPrompt: String??

    enum CodingKeys: String, CodingKey {
        case title, model
        case systemPrompt = "system_prompt"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        // Present-but-null clears a field; absent leaves it.
        if c.contains(.model) { model = .some(try c.decodeIfPresent(String.self, forKey: .model)) }
        if c.contains(.systemPrompt) { systemPrompt = .some(try c.decodeIfPresent(String.self, forKey: .systemPrompt)) }
    }
}

struct NewMessageBody: Decodable {
    var content: String
    /// An earlier user message this one replaces as a new branch (its sibling).
    var editOf: String?
    var model: String?
    var maxTokens: Int?
    var temperature: Double?

    enum CodingKeys: String, CodingKey {
        case content, model, temperature
        case editOf = "edit_of"
        case maxTokens = "max_tokens"
    }
}

struct RegenerateBody: Decodable {
    /// The answer to regenerate (nil: the current leaf); it stays as an alternative.
    var messageID: String?
    var model: String?
    var maxTokens: Int?
    var temperature: Double?

    enum CodingKeys: String, CodingKey {
        case model, temperature
        case messageID = "message_id"
        case maxTokens = "max_tokens"
    }
}

struct QuickChatBody: Decodable {
    var message: String
    var model: String?
    var conversationID: String?

    enum CodingKeys: String, CodingKey {
        case message, model
        case conversationID = "conversation_id"
    }
}

/// A conversation with its messages: the answer of `GET /api/conversations/{id}`.
struct ConversationDetail: Encodable {
    let conversation: Conversation
    let messages: [Message]

    func encode(to encoder: any Encoder) throws {
        try conversation.encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(messages, forKey: .messages)
    }

    enum Keys: String, CodingKey { case messages }
}

/// Fixed limits on what a client may send; each refusal is a 400 with a message naming the limit. Message and
/// title length and the page size are configurable: `[limits]`, see ``InputLimits``.
enum ChatLimits {
    static let maxSystemPromptCharacters = TextLimits.maxSystemPromptCharacters
    static let maxModelIDCharacters = TextLimits.maxModelIDCharacters
    static let maxTokensRange = 1...1_000_000
    static let temperatureRange = 0.0...2.0
}
