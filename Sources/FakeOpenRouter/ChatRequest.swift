/// The parts of a `POST /api/v1/chat/completions` body the fake acts on.
///
/// OpenRouter ignores parameters it does not know, so does the fake: only the fields below change what is sent;
/// the whole body is still kept for `/_fake/stats` so tests can assert on what the appliance really sent.
struct ChatRequest: Sendable {
    let body: JSON
    let modelID: String
    let stream: Bool
    /// `max_tokens`, or its newer name `max_completion_tokens`: the cap on completion tokens.
    let maxTokens: Int?
    /// Characters of text in all messages, the basis of the fake's prompt token estimate.
    let promptCharacters: Int
    /// The text of the last `user` message, which `fake/echo` streams back.
    let lastUserText: String
    /// OpenRouter's `user` field, reported back as the generation's `external_user`.
    let user: String?

    init(body: JSON) {
        self.body = body
        self.modelID = body["model"]?.stringValue ?? Catalog.defaultID
        self.stream = body["stream"]?.boolValue ?? false
        self.maxTokens = (body["max_tokens"]?.intValue ?? body["max_completion_tokens"]?.intValue).map { max(0, $0) }
        self.user = body["user"]?.stringValue
        let messages = body["messages"]?.arrayValue ?? []
        self.promptCharacters = messages.reduce(0) { $0 + Self.text(of: $1).count }
        let lastUser = messages.last { $0["role"]?.stringValue == "user" }
        self.lastUserText = lastUser.map(Self.text(of:)) ?? ""
    }

    /// About one token per four characters, at least one: close enough to a tokenizer for cost tests.
    var promptTokens: Int { max(1, (promptCharacters + 3) / 4) }

    /// A message's text: a plain string, or the `text` parts of a content array (images and files are skipped).
    static func text(of message: JSON) -> String {
        switch message["content"] {
        case .string(let s)?:
            return s
        case .array(let parts)?:
            return parts.compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }.joined()
        default:
            return ""
        }
    }
}

/// The answer one request gets, before any fault is applied: reasoning tokens, then content tokens.
struct Plan: Sendable {
    var reasoning: [String]
    var content: [String]
    /// `stop`, or `length` when `max_tokens` cut the answer short.
    var finishReason: String

    /// Builds the answer for `model`; `max_tokens` caps reasoning and content together, as providers do.
    init(model: ScriptedModel, request: ChatRequest, defaultTokens: Int) {
        var reasoning: [String] = []
        var content: [String]
        switch model.behaviour {
        case .echo: content = Words.split(request.lastUserText)
        case .reasoning:
            reasoning = Words.reasoning
            content = Words.lorem(defaultTokens)
        case .slow: content = Words.lorem(2_000)
        case .bytewise: content = Words.multiByte
        case .doneInText: content = Words.doneInText
        default: content = Words.lorem(defaultTokens)
        }
        var finish = "stop"
        if let cap = request.maxTokens, reasoning.count + content.count > cap {
            finish = "length"
            reasoning = Array(reasoning.prefix(cap))
            content = Array(content.prefix(cap - reasoning.count))
        }
        self.reasoning = reasoning
        self.content = content
        self.finishReason = finish
    }

    var text: String { content.joined() }
}

/// Deterministic token texts, so a test can predict the exact answer.
enum Words {
    /// The classic passage; token `n` is always the same word, the first one without a leading space.
    static let passage = """
        Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et \
        dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex \
        ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu \
        fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt \
        mollit anim id est laborum.
        """.split(separator: " ").map(String.init)

    static func lorem(_ count: Int) -> [String] {
        (0..<max(0, count)).map { n in (n == 0 ? "" : " ") + passage[n % passage.count] }
    }

    /// Splits text into tokens that join back to it exactly: each token is a run of spaces and the word after it.
    static func split(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var inWord = false
        for ch in text {
            if ch.isWhitespace, inWord {
                tokens.append(current)
                current = ""
                inWord = false
            }
            if !ch.isWhitespace { inWord = true }
            current.append(ch)
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    static let reasoning = ["Let", " me", " think", " about", " this", " step", " by", " step."]

    /// Two-, three- and four-byte UTF-8 sequences, for the byte-wise stream.
    static let multiByte = ["h", "é", "llo", " –", " ✓", " 😀"]

    /// Content that a naive parser would mistake for the end of the stream.
    static let doneInText = [
        "Parsers", " beware:", " data: [DONE]", " is", " only", " text", " here,", " and", " so", " is", " [DONE]",
        ".", "\n\ndata: [DONE]\n\n", "The", " real", " end", " comes", " later.",
    ]
}
