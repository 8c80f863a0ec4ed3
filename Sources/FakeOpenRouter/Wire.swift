import FoundationEssentials

/// The fields every chunk of one generation repeats.
struct ChunkHead: Sendable {
    let id: String
    let model: String
    let created: Int
    /// OpenRouter names the upstream provider in every chunk; the fake is its own provider.
    static let provider = "FakeProvider"

    init(model: String) {
        let now = Int(Date.now.timeIntervalSince1970)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        let suffix = String((0..<20).map { _ in alphabet.randomElement()! })
        self.id = "gen-\(now)-\(suffix)"
        self.model = model
        self.created = now
    }
}

/// OpenRouter's wire format, built field by field in the order the real service sends them.
///
/// Shapes follow OpenRouter's OpenAPI description (`ChatStreamChunk`, `ChatUsage`, `ChatResult`) and streams
/// captured from the real service: `provider` in every chunk, `role` in every delta, explicit nulls for
/// `finish_reason`, `native_finish_reason` and `logprobs`. Nothing here is invented.
enum Wire {
    /// A `chat.completion.chunk` with one choice.
    static func chunk(_ head: ChunkHead, delta: JSON, finish: String? = nil) -> JSON {
        [
            "id": .string(head.id),
            "provider": .string(ChunkHead.provider),
            "model": .string(head.model),
            "object": "chat.completion.chunk",
            "created": .int(head.created),
            "choices": [
                [
                    "index": 0,
                    "delta": delta,
                    "finish_reason": finish.map(JSON.string) ?? .null,
                    "native_finish_reason": finish.map(JSON.string) ?? .null,
                    "logprobs": nil,
                ]
            ],
        ]
    }

    /// A delta; the first one of a stream is `content(“”)`: `{"role":"assistant","content":""}`.
    static func content(_ text: String) -> JSON { ["role": "assistant", "content": .string(text)] }

    /// A reasoning delta: the text twice, as `reasoning` and as a `reasoning.text` entry of `reasoning_details`.
    static func reasoning(_ text: String) -> JSON {
        [
            "role": "assistant",
            "content": "",
            "reasoning": .string(text),
            "reasoning_details": [["type": "reasoning.text", "text": .string(text), "format": "unknown", "index": 0]],
        ]
    }

    /// The last event before `[DONE]`: no choices, only `usage`.
    static func usageChunk(_ head: ChunkHead, usage: JSON) -> JSON {
        [
            "id": .string(head.id),
            "provider": .string(ChunkHead.provider),
            "model": .string(head.model),
            "object": "chat.completion.chunk",
            "created": .int(head.created),
            "choices": [],
            "usage": usage,
        ]
    }

    /// OpenRouter's `usage`; `cost` nil gives the bare OpenAI-compatible form (Ollama, vLLM: token counts only).
    static func usage(prompt: Int, completion: Int, reasoning: Int, cost: Double?) -> JSON {
        guard let cost else {
            return ["prompt_tokens": .int(prompt), "completion_tokens": .int(completion),
                    "total_tokens": .int(prompt + completion)]
        }
        return [
            "prompt_tokens": .int(prompt),
            "completion_tokens": .int(completion),
            "total_tokens": .int(prompt + completion),
            "cost": .double(cost),
            "is_byok": false,
            "prompt_tokens_details": ["cached_tokens": 0],
            "cost_details": ["upstream_inference_cost": nil],
            "completion_tokens_details": ["reasoning_tokens": .int(reasoning)],
        ]
    }

    /// An error after the 200 was sent: top-level `error` and a choice finishing with `"error"`.
    /// `code` is a number (`502`) or a string (`"server_error"`): OpenRouter sends both.
    static func midstreamError(_ head: ChunkHead, code: JSON, message: String) -> JSON {
        [
            "id": .string(head.id),
            "provider": .string(ChunkHead.provider),
            "model": .string(head.model),
            "object": "chat.completion.chunk",
            "created": .int(head.created),
            "error": ["code": code, "message": .string(message)],
            "choices": [["index": 0, "delta": ["content": ""], "finish_reason": "error", "native_finish_reason": nil]],
        ]
    }

    /// The non-streaming `chat.completion` (OpenAPI `ChatResult`).
    static func completion(_ head: ChunkHead, plan: Plan, usage: JSON?) -> JSON {
        var message: [(String, JSON)] = [
            ("role", "assistant"), ("content", .string(plan.text)), ("refusal", nil),
            ("reasoning", plan.reasoning.isEmpty ? nil : .string(plan.reasoning.joined())),
        ]
        if !plan.reasoning.isEmpty {
            let detail: JSON = ["type": "reasoning.text", "text": .string(plan.reasoning.joined()),
                                "format": "unknown", "index": 0]
            message.append(("reasoning_details", [detail]))
        }
        var result: [(String, JSON)] = [
            ("id", .string(head.id)),
            ("provider", .string(ChunkHead.provider)),
            ("model", .string(head.model)),
            ("object", "chat.completion"),
            ("created", .int(head.created)),
            ("choices", [
                [
                    "logprobs": nil,
                    "finish_reason": .string(plan.finishReason),
                    "native_finish_reason": .string(plan.finishReason),
                    "index": 0,
                    "message": .object(message),
                ]
            ]),
            ("system_fingerprint", nil),
        ]
        if let usage { result.append(("usage", usage)) }
        return .object(result)
    }

    /// OpenRouter's error body: `{"error":{"code","message","metadata"?},"user_id"?}`, sent with HTTP status = code.
    static func error(_ code: Int, _ message: String, metadata: JSON? = nil, userID: Bool = true) -> JSON {
        var error: [(String, JSON)] = [("code", .int(code)), ("message", .string(message))]
        if let metadata { error.append(("metadata", metadata)) }
        var body: [(String, JSON)] = [("error", .object(error))]
        if userID { body.append(("user_id", "user_fake")) }
        return .object(body)
    }
}
