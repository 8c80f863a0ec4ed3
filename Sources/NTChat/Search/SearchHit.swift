/// One message found by a search, with the conversation it belongs to and a highlighted excerpt.
public struct SearchHit: Codable, Sendable, Equatable {
    public var messageID: String
    public var conversationID: String
    public var conversationTitle: String
    public var role: MessageRole
    public var createdAt: String
    /// Relevance: the negated BM25 score, so higher is better; results come sorted by it, best first.
    public var rank: Double
    /// The excerpt as parts; those with `match` true are the words that matched. Render each part as text.
    public var snippet: [SnippetPart]

    public init(messageID: String, conversationID: String, conversationTitle: String, role: MessageRole,
                createdAt: String, rank: Double, snippet: [SnippetPart]) {
        self.messageID = messageID
        self.conversationID = conversationID
        self.conversationTitle = conversationTitle
        self.role = role
        self.createdAt = createdAt
        self.rank = rank
        self.snippet = snippet
    }

    enum CodingKeys: String, CodingKey {
        case role, rank, snippet
        case messageID = "message_id"
        case conversationID = "conversation_id"
        case conversationTitle = "conversation_title"
        case createdAt = "created_at"
    }
}

/// A piece of a search excerpt.
public struct SnippetPart: Codable, Sendable, Equatable {
    public var text: String
    public var match: Bool

    public init(text: String, match: Bool) {
        self.text = text
        self.match = match
    }
}

/// One conversation whose title matches a search.
public struct TitleHit: Codable, Sendable, Equatable {
    public var conversationID: String
    public var title: String
    public var updatedAt: String
    /// Relevance: the negated BM25 score, so higher is better; results come sorted by it, then newest first.
    public var rank: Double
    /// The whole title as parts; those with `match` true are the words that matched. Render each part as text.
    public var snippet: [SnippetPart]

    public init(conversationID: String, title: String, updatedAt: String, rank: Double, snippet: [SnippetPart]) {
        self.conversationID = conversationID
        self.title = title
        self.updatedAt = updatedAt
        self.rank = rank
        self.snippet = snippet
    }

    enum CodingKeys: String, CodingKey {
        case title, rank, snippet
        case conversationID = "conversation_id"
        case updatedAt = "updated_at"
    }
}

/// Full-text search over every message in a final state, and over conversation titles.
public protocol SearchRepository: Sendable {
    /// The best `limit` messages for `query`, best first. An implementation may rank only the newest matches of a
    /// very common query (``SQLChatRepository/rankingWindow``) to bound its cost.
    func search(_ query: SearchQuery, ownerID: String, limit: Int) async throws -> [SearchHit]

    /// The best `limit` conversations whose title holds every term of `query`, best first (newest first among
    /// equals).
    func searchTitles(_ query: SearchQuery, ownerID: String, limit: Int) async throws -> [TitleHit]
}

/// Cuts FTS5 `snippet()` output at its highlight markers.
///
/// The markers are chosen per query with a random part, so stored text cannot contain them by accident or by
/// design; control characters that remain in a part are dropped (they cannot be displayed anyway).
public struct SnippetMarkers: Sendable {
    public let open: String
    public let close: String

    public init() {
        var generator = SystemRandomNumberGenerator()
        let nonce = String(generator.next() as UInt64, radix: 36) + String(generator.next() as UInt64, radix: 36)
        open = "\u{2}[\(nonce)\u{3}"
        close = "\u{2}]\(nonce)\u{3}"
    }

    /// The parts of `snippet`, in order, without empty ones.
    public func parts(of snippet: String) -> [SnippetPart] {
        var parts: [SnippetPart] = []
        func add(_ text: Substring, _ match: Bool) {
            let clean = String(text.unicodeScalars.filter { !SearchQuery.isControl($0) || $0 == "\n" || $0 == "\t" }.map(Character.init))
            guard !clean.isEmpty else { return }
            if let last = parts.last, last.match == match {
                parts[parts.count - 1].text += clean
            } else {
                parts.append(SnippetPart(text: clean, match: match))
            }
        }
        var rest = snippet[...]
        while let start = rest.firstRange(of: open) {
            add(rest[..<start.lowerBound], false)
            rest = rest[start.upperBound...]
            if let end = rest.firstRange(of: close) {
                add(rest[..<end.lowerBound], true)
                rest = rest[end.upperBound...]
            } else {
                add(rest, true)
                rest = rest[rest.endIndex...]
            }
        }
        add(rest, false)
        return parts
    }
}
