/// What a scripted model does.
///
/// The behaviour is chosen by the model id, not by a header or a flag, so that a test, or a person clicking
/// through the appliance's model list, can pick any fault without the appliance knowing it talks to a fake.
enum Behaviour: Sendable, Equatable {
    case lorem, echo, reasoning, slow, noCost, noUsage
    case httpError(Int)
    /// HTTP 401 whose message quotes the request's `Authorization` header and key: for redaction tests.
    case echoAuthorization
    /// HTTP 401 `key id <key without sk-or-v1-> not found`, and one quoting every form of `KeyEcho`.
    case echoKeyID, echoKeyForms
    /// A stream whose reasoning and content carry the key in every form of `KeyEcho`, split over chunks.
    case echoKeyInStream
    /// `midstreamError` whose message carries every form of the key.
    case midstreamErrorEchoingKey
    case stall, stallBeforeFirstByte, cut
    case midstreamError, midstreamErrorNoDone
    case crlf, bytewise, malformed, doneInText, bom, multiline
}

/// Prices as OpenRouter publishes them: decimal strings in USD per token ("0" for free models).
struct Pricing: Sendable {
    let prompt: String
    let completion: String

    /// USD for the given token counts; reasoning tokens are completion tokens, billed at the completion price.
    /// Rounded to 1e-12 USD so that binary floating-point noise (`0.00012250000000000002`) stays off the wire.
    func cost(prompt promptTokens: Int, completion completionTokens: Int) -> Double {
        let exact = Double(promptTokens) * (Double(prompt) ?? 0) + Double(completionTokens) * (Double(completion) ?? 0)
        return (exact * 1e12).rounded() / 1e12
    }
}

/// One entry of the fake's model list.
struct ScriptedModel: Sendable {
    let id: String
    let name: String
    let behaviour: Behaviour
    let pricing: Pricing
    /// Shown as the model's `description` in `/models`, so the list documents itself.
    let summary: String
    /// The context window `/models` reports (the appliance trims history to it).
    var contextLength = Catalog.contextLength
    var maxCompletionTokens = Catalog.maxCompletionTokens

    /// The `/api/v1/models` entry, with the fields OpenRouter's `Model` schema marks required.
    var listing: JSON {
        let parameters: [JSON] =
            behaviour == .reasoning
            ? ["max_tokens", "temperature", "top_p", "stop", "reasoning", "include_reasoning"]
            : ["max_tokens", "temperature", "top_p", "stop"]
        return [
            "id": .string(id),
            "canonical_slug": .string(id),
            "hugging_face_id": nil,
            "name": .string(name),
            "created": .int(Catalog.created),
            "description": .string(summary),
            "context_length": .int(contextLength),
            "architecture": [
                "modality": "text->text",
                "input_modalities": ["text"],
                "output_modalities": ["text"],
                "tokenizer": "Other",
                "instruct_type": nil,
            ],
            "pricing": [
                "prompt": .string(pricing.prompt),
                "completion": .string(pricing.completion),
                "request": "0",
                "image": "0",
                "web_search": "0",
                "internal_reasoning": .string(pricing.completion),
                "input_cache_read": "0",
            ],
            "top_provider": [
                "context_length": .int(contextLength),
                "max_completion_tokens": .int(maxCompletionTokens),
                "is_moderated": false,
            ],
            "per_request_limits": nil,
            "supported_parameters": .array(parameters),
            "default_parameters": nil,
            "supported_voices": nil,
            "knowledge_cutoff": nil,
            "expiration_date": nil,
            "links": ["details": .string("/api/v1/models/\(id)/endpoints")],
        ]
    }
}

/// Every model the fake serves. A model id not listed here gets OpenRouter's "is not a valid model ID".
enum Catalog {
    /// 2026-01-01T00:00:00Z: a fixed `created` keeps `/models` byte-for-byte stable between runs.
    static let created = 1_767_225_600
    static let contextLength = 131_072
    static let maxCompletionTokens = 16_384
    /// The model used when a request names none (OpenRouter falls back to the account's default model).
    static let defaultID = "fake/lorem"

    static let paid = Pricing(prompt: "0.000001", completion: "0.000002")
    static let free = Pricing(prompt: "0", completion: "0")
    static let reasoningPrices = Pricing(prompt: "0.0000025", completion: "0.00001")

    static let models: [ScriptedModel] = [
        .init(id: "fake/lorem", name: "Fake: Lorem", behaviour: .lorem, pricing: paid,
              summary: "Deterministic lorem ipsum, --tokens long; usage with cost."),
        .init(id: "fake/free", name: "Fake: Free", behaviour: .lorem, pricing: free,
              summary: "Like fake/lorem with prices \"0\"; usage.cost is 0."),
        .init(id: "fake/echo", name: "Fake: Echo", behaviour: .echo, pricing: paid,
              summary: "Streams back the last user message, one word per token."),
        .init(id: "fake/reasoning", name: "Fake: Reasoning", behaviour: .reasoning, pricing: reasoningPrices,
              summary: "8 delta.reasoning chunks with reasoning_details, then content; usage has reasoning_tokens."),
        .init(id: "fake/slow", name: "Fake: Slow", behaviour: .slow, pricing: paid,
              summary: "2,000 tokens at 20 ms each (about 40 s), for stop and disconnect tests."),
        .init(id: "fake/no-cost", name: "Fake: No Cost", behaviour: .noCost, pricing: paid,
              summary: "Usage with token counts only and no cost, like Ollama or vLLM."),
        .init(id: "fake/no-usage", name: "Fake: No Usage", behaviour: .noUsage, pricing: paid,
              summary: "A normal stream without the usage chunk."),
        .init(id: "fake/small-context", name: "Fake: Small Context", behaviour: .echo, pricing: paid,
              summary: "Like fake/echo with a context window of 600 tokens and answers of at most 100: for history trimming.",
              contextLength: 600, maxCompletionTokens: 100),
    ] + httpErrorModels + faultModels

    static let httpErrorModels: [ScriptedModel] = [400, 401, 402, 403, 408, 429, 500, 502, 503].map { status in
        .init(id: "fake/http-\(status)", name: "Fake: HTTP \(status)", behaviour: .httpError(status), pricing: paid,
              summary: "Answers HTTP \(status) with OpenRouter's error body before any stream.")
    } + [
        .init(id: "fake/http-401-echo", name: "Fake: HTTP 401 Echoing the Key", behaviour: .echoAuthorization,
              pricing: paid, summary: "HTTP 401 whose message quotes the Authorization header and the key it carried."),
        .init(id: "fake/http-401-key-id", name: "Fake: HTTP 401 Naming the Key Id", behaviour: .echoKeyID,
              pricing: paid, summary: "HTTP 401 \"key id <the key without sk-or-v1-> not found\"."),
        .init(id: "fake/http-401-echo-forms", name: "Fake: HTTP 401 Echoing the Key Encoded", behaviour: .echoKeyForms,
              pricing: paid, summary: "HTTP 401 quoting the key upper-cased, bare, URL-encoded and in base64."),
    ]

    static let faultModels: [ScriptedModel] = [
        .init(id: "fake/stall", name: "Fake: Stall", behaviour: .stall, pricing: paid,
              summary: "Keep-alives, role delta, 3 tokens, then silence until the client leaves."),
        .init(id: "fake/stall-before-first-byte", name: "Fake: Stall Before First Byte",
              behaviour: .stallBeforeFirstByte, pricing: paid,
              summary: "Accepts the request and sends nothing, not even headers, until the client leaves."),
        .init(id: "fake/cut", name: "Fake: Cut", behaviour: .cut, pricing: paid,
              summary: "3 tokens, then the connection is closed: no finish_reason, no usage, no [DONE]."),
        .init(id: "fake/midstream-error", name: "Fake: Mid-stream Error", behaviour: .midstreamError, pricing: paid,
              summary: "3 tokens, then a chunk with error {code: 502} and finish_reason \"error\", then [DONE]."),
        .init(id: "fake/midstream-error-nodone", name: "Fake: Mid-stream Error, no [DONE]",
              behaviour: .midstreamErrorNoDone, pricing: paid,
              summary: "3 tokens, then error {code: \"server_error\"} with finish_reason \"error\"; no [DONE]."),
        .init(id: "fake/midstream-error-echo", name: "Fake: Mid-stream Error Echoing the Key",
              behaviour: .midstreamErrorEchoingKey, pricing: paid,
              summary: "fake/midstream-error whose message quotes the key in every encoded form."),
        .init(id: "fake/echo-key", name: "Fake: Echo the Key", behaviour: .echoKeyInStream, pricing: paid,
              summary: "Reasoning and content quoting the key in every form, split over chunks of 1 to 7 characters."),
        .init(id: "fake/crlf", name: "Fake: CRLF", behaviour: .crlf, pricing: paid,
              summary: "A normal stream framed with CRLF line ends."),
        .init(id: "fake/bytewise", name: "Fake: Bytewise", behaviour: .bytewise, pricing: paid,
              summary: "\"héllo – ✓ 😀\" with every byte flushed on its own, splitting UTF-8 sequences."),
        .init(id: "fake/malformed", name: "Fake: Malformed", behaviour: .malformed, pricing: paid,
              summary: "2 tokens, an event `data: {not json`, then the rest of a normal stream."),
        .init(id: "fake/done-in-text", name: "Fake: [DONE] in Text", behaviour: .doneInText, pricing: paid,
              summary: "Content containing the text `data: [DONE]` and `[DONE]`, then a proper end."),
        .init(id: "fake/bom", name: "Fake: BOM", behaviour: .bom, pricing: paid,
              summary: "A UTF-8 byte order mark before the first event."),
        .init(id: "fake/multiline", name: "Fake: Multi-line Data", behaviour: .multiline, pricing: paid,
              summary: "The second token's event has its JSON split over two `data:` lines."),
    ]

    static let byID: [String: ScriptedModel] = Dictionary(uniqueKeysWithValues: models.map { ($0.id, $0) })

    /// The `GET /api/v1/models` body.
    static var listing: JSON { ["data": .array(models.map(\.listing))] }
}
