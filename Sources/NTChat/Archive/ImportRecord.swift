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

/// Limits on what an import accepts.
public struct ImportLimits: Sendable {
    /// The whole input (1 GiB by default).
    public var maxTotalBytes: Int
    /// One record, i.e. one conversation with its messages (64 MiB by default).
    public var maxRecordBytes: Int
    /// Messages in one conversation.
    public var maxMessages: Int
    public var maxTitleCharacters: Int
    /// Short text fields: model ids, finish reasons, generation and request ids.
    public var maxShortFieldCharacters: Int

    public init(maxTotalBytes: Int = 1 << 30, maxRecordBytes: Int = 64 << 20, maxMessages: Int = 100_000,
                maxTitleCharacters: Int = 1_000, maxShortFieldCharacters: Int = 1_000) {
        self.maxTotalBytes = maxTotalBytes
        self.maxRecordBytes = maxRecordBytes
        self.maxMessages = maxMessages
        self.maxTitleCharacters = maxTitleCharacters
        self.maxShortFieldCharacters = maxShortFieldCharacters
    }
}

/// Turns decoded records into validated ``ArchivedConversation``s; every refusal names the field.
struct ImportValidator {
    let limits: ImportLimits

    /// The message stored for an answer that was still streaming when it was exported.
    static let interruptedByExport = "the answer was still streaming when it was exported"

    func validate(_ c: ImportedConversation, _ messages: [ImportedMessage]) throws(ImportProblem) -> ArchivedConversation {
        try id(c.id, "conversation.id")
        try text(c.title, "conversation.title", max: limits.maxTitleCharacters)
        try short(c.model, "conversation.model")
        try timestamp(c.createdAt, "conversation.created_at")
        try timestamp(c.updatedAt, "conversation.updated_at")
        guard messages.count <= limits.maxMessages else {
            throw ImportProblem("conversation has \(messages.count) messages; at most \(limits.maxMessages) are accepted")
        }
        var seen: Set<String> = []
        var result: [Message] = []
        result.reserveCapacity(messages.count)
        for (index, m) in messages.enumerated() {
            let at = "messages[\(index)]"
            try id(m.id, "\(at).id")
            guard seen.insert(m.id).inserted else { throw ImportProblem("\(at).id: \(m.id) appears twice in this conversation") }
            if let owner = m.conversationID, owner != c.id {
                throw ImportProblem("\(at).conversation_id: \(owner) is not the conversation it is listed under (\(c.id))")
            }
            guard let role = MessageRole(rawValue: m.role) else {
                throw ImportProblem("\(at).role: \"\(m.role)\" is not one of system, user, assistant")
            }
            guard var status = MessageStatus(rawValue: m.status) else {
                throw ImportProblem("\(at).status: \"\(m.status)\" is not one of \(MessageStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            for (field, value) in [("model", m.model), ("finish_reason", m.finishReason), ("generation_id", m.generationID), ("request_id", m.requestID)] {
                try short(value, "\(at).\(field)")
            }
            for (field, value) in [("prompt_tokens", m.promptTokens), ("completion_tokens", m.completionTokens),
                                   ("reasoning_tokens", m.reasoningTokens), ("cached_tokens", m.cachedTokens),
                                   ("ttft_ms", m.ttftMs), ("duration_ms", m.durationMs)] {
                if let value, value < 0 { throw ImportProblem("\(at).\(field): must not be negative") }
            }
            if let cost = m.costUSD, !(cost.isFinite && cost >= 0) {
                throw ImportProblem("\(at).cost_usd: must be a non-negative number")
            }
            try timestamp(m.createdAt, "\(at).created_at")
            try timestamp(m.updatedAt, "\(at).updated_at")
            var error = m.error
            if status == .streaming {
                // Nothing will ever finish it in this database.
                status = .interrupted
                error = error ?? Self.interruptedByExport
            }
            result.append(Message(
                id: m.id, conversationID: c.id, role: role, content: Self.storable(m.content),
                reasoning: Self.storable(m.reasoning ?? ""), model: m.model, status: status, finishReason: m.finishReason, promptTokens: m.promptTokens,
                completionTokens: m.completionTokens, reasoningTokens: m.reasoningTokens, cachedTokens: m.cachedTokens,
                costUSD: m.costUSD, ttftMs: m.ttftMs, durationMs: m.durationMs, generationID: m.generationID,
                requestID: m.requestID, error: error.map(Self.storable), createdAt: m.createdAt, updatedAt: m.updatedAt
            ))
        }
        let conversation = Conversation(
            id: c.id, title: Self.storable(c.title), model: c.model, systemPrompt: c.systemPrompt.map(Self.storable), createdAt: c.createdAt,
            updatedAt: c.updatedAt, messageCount: result.count, costUSD: result.reduce(0) { $0 + ($1.costUSD ?? 0) }
        )
        return ArchivedConversation(conversation: conversation, messages: result)
    }

    /// The text without NUL characters, which SQLite text cannot hold (it would cut the text there).
    static func storable(_ text: String) -> String {
        guard text.utf8.contains(0) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value != 0 }))
    }

    func id(_ value: String, _ field: String) throws(ImportProblem) {
        guard Identifiers.isValid(value) else {
            throw ImportProblem("\(field): \"\(value.prefix(60))\" is not an id (36 characters: lower-case hex digits and dashes)")
        }
    }

    func text(_ value: String, _ field: String, max: Int) throws(ImportProblem) {
        guard value.utf8.count <= max || value.count <= max else { throw ImportProblem("\(field): longer than \(max) characters") }
    }

    func short(_ value: String?, _ field: String) throws(ImportProblem) {
        guard let value else { return }
        try text(value, field, max: limits.maxShortFieldCharacters)
        if value.utf8.contains(0) { throw ImportProblem("\(field): must not contain NUL characters") }
    }

    func timestamp(_ value: String, _ field: String) throws(ImportProblem) {
        guard Self.isTimestamp(value) else {
            throw ImportProblem("\(field): \"\(value.prefix(60))\" is not an RFC 3339 timestamp such as 2026-11-30T05:00:00.000Z")
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS`, optional fraction, then `Z` or `±HH:MM`.
    static func isTimestamp(_ value: String) -> Bool {
        let b = Array(value.utf8)
        func digits(_ range: Range<Int>) -> Bool { range.allSatisfy { $0 < b.count && b[$0] >= 48 && b[$0] <= 57 } }
        guard b.count >= 20, digits(0..<4), b[4] == 45, digits(5..<7), b[7] == 45, digits(8..<10),
              b[10] == 84 || b[10] == 116, digits(11..<13), b[13] == 58, digits(14..<16), b[16] == 58, digits(17..<19)
        else { return false }
        var i = 19
        if b[i] == 46 {
            i += 1
            let start = i
            while i < b.count && b[i] >= 48 && b[i] <= 57 { i += 1 }
            guard i > start else { return false }
        }
        if i == b.count - 1 && (b[i] == 90 || b[i] == 122) { return true }
        return i == b.count - 6 && (b[i] == 43 || b[i] == 45) && digits(i + 1..<i + 3) && b[i + 3] == 58 && digits(i + 4..<i + 6)
    }
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
