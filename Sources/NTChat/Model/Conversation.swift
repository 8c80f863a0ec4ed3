/// A conversation as the API returns it, with the totals a list view needs.
public struct Conversation: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var model: String?
    public var systemPrompt: String?
    public var createdAt: String
    public var updatedAt: String
    /// Messages in the conversation (all roles).
    public var messageCount: Int
    /// The sum of the recorded costs of its answers, in USD.
    public var costUSD: Double
    /// The end of the visible path (ADR 0017): the branch the conversation shows and continues. Nil only while
    /// it has no messages.
    public var currentLeafID: String? = nil
    /// The account the conversation belongs to (ADR 0018). Not part of the API's JSON: every route answers only
    /// about the asker's own conversations.
    public var ownerID: String = Conversation.ownerAccountID

    /// The id of the appliance's own account, which owns every conversation made before accounts existed.
    public static let ownerAccountID = "owner"

    enum CodingKeys: String, CodingKey {
        case id, title, model
        case systemPrompt = "system_prompt"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case messageCount = "message_count"
        case costUSD = "cost_usd"
        case currentLeafID = "current_leaf_id"
    }

    /// Every key is always present (null when unset).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(title, forKey: .title)
        try c.encode(model, forKey: .model)
        try c.encode(systemPrompt, forKey: .systemPrompt)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(messageCount, forKey: .messageCount)
        try c.encode(costUSD, forKey: .costUSD)
        try c.encode(currentLeafID, forKey: .currentLeafID)
    }
}

/// A conversation a turn creates with its first messages, in the same transaction (`POST /api/chat`): a turn that
/// is refused leaves no empty conversation behind, and the turn costs one write instead of two.
public struct NewConversation: Sendable, Equatable {
    public var title: String
    public var model: String?
    public var systemPrompt: String?
    public var ownerID: String

    public init(title: String, model: String?, systemPrompt: String? = nil, ownerID: String) {
        self.title = title
        self.model = model
        self.systemPrompt = systemPrompt
        self.ownerID = ownerID
    }

    /// The conversation as it stands once created with the id `id` at `now`, before its first messages.
    public func conversation(id: String, now: String) -> Conversation {
        Conversation(id: id, title: title, model: model, systemPrompt: systemPrompt, createdAt: now, updatedAt: now,
                     messageCount: 0, costUSD: 0, ownerID: ownerID)
    }
}

/// What a client may set when creating or editing a conversation; nil leaves a field as it is.
public struct ConversationPatch: Sendable {
    public var title: String?
    public var model: String??
    public var systemPrompt: String??

    public init(title: String? = nil, model: String?? = nil, systemPrompt: String?? = nil) {
        self.title = title
        self.model = model
        self.systemPrompt = systemPrompt
    }
}
