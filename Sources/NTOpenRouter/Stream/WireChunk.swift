/// OpenRouter's `chat.completion.chunk`, reduced to what the chat engine reads. Everything is optional
/// and unknown fields (tool calls, logprobs, audio…) are skipped, so OpenAI-compatible servers decode too.
struct WireChunk: Decodable {
    var id: String?
    var model: String?
    var provider: String?
    var choices: [Choice]?
    var usage: WireUsage?
    var error: WireError?

    struct Choice: Decodable {
        var index: Int?
        var delta: Delta?
        var finishReason: String?
        var nativeFinishReason: String?

        enum CodingKeys: String, CodingKey {
            case index, delta
            case finishReason = "finish_reason"
            case nativeFinishReason = "native_finish_reason"
        }
    }

    struct Delta: Decodable {
        var content: String?
        var reasoning: String?
        var reasoningDetails: [ReasoningDetail]?

        enum CodingKeys: String, CodingKey {
            case content, reasoning
            case reasoningDetails = "reasoning_details"
        }
    }

    /// One `reasoning_details` entry; only `reasoning.text` and `reasoning.summary` carry readable text.
    struct ReasoningDetail: Decodable {
        var type: String?
        var text: String?
        var summary: String?

        var readableText: String? {
            switch type {
            case "reasoning.text": text
            case "reasoning.summary": summary
            default: nil
            }
        }
    }
}

/// The usage object: `prompt_tokens`, `completion_tokens`, `total_tokens`, the two detail objects,
/// `cost` and `is_byok`. Missing counts read as 0 (a total, as prompt + completion).
struct WireUsage: Decodable {
    var usage: Usage

    private enum Keys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
        case promptDetails = "prompt_tokens_details", completionDetails = "completion_tokens_details"
        case cost, isByok = "is_byok", cachedTokens = "cached_tokens", reasoningTokens = "reasoning_tokens"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let prompt = try container.decodeIfPresent(Int.self, forKey: .promptTokens) ?? 0
        let completion = try container.decodeIfPresent(Int.self, forKey: .completionTokens) ?? 0
        var cached: Int?
        var reasoning: Int?
        if (try? container.decodeNil(forKey: .promptDetails)) == false {
            let details = try container.nestedContainer(keyedBy: Keys.self, forKey: .promptDetails)
            cached = try details.decodeIfPresent(Int.self, forKey: .cachedTokens)
        }
        if (try? container.decodeNil(forKey: .completionDetails)) == false {
            let details = try container.nestedContainer(keyedBy: Keys.self, forKey: .completionDetails)
            reasoning = try details.decodeIfPresent(Int.self, forKey: .reasoningTokens)
        }
        usage = Usage(
            promptTokens: prompt, completionTokens: completion,
            totalTokens: try container.decodeIfPresent(Int.self, forKey: .totalTokens) ?? prompt + completion,
            cachedTokens: cached, reasoningTokens: reasoning,
            cost: try container.decodeIfPresent(Double.self, forKey: .cost),
            isByok: try container.decodeIfPresent(Bool.self, forKey: .isByok)
        )
    }
}

/// An `error` object: `{code, message, metadata}` with `code` a number or a string. A bare string
/// (`"error": "model not found"`, as Ollama sends) is accepted as the message.
struct WireError: Decodable {
    var code: String?
    var message: String?
    var metadata: JSONValue?

    private enum Keys: String, CodingKey { case code, message, metadata }

    init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            message = text
            return
        }
        let container = try decoder.container(keyedBy: Keys.self)
        if let number = try? container.decodeIfPresent(Int.self, forKey: .code) {
            code = String(number)
        } else {
            code = try? container.decodeIfPresent(String.self, forKey: .code)
        }
        message = try? container.decodeIfPresent(String.self, forKey: .message)
        metadata = try? container.decodeIfPresent(JSONValue.self, forKey: .metadata)
    }

    /// This error with gaps filled: the code from `fallbackCode`, the message from `fallbackMessage`.
    func streamError(fallbackCode: String, fallbackMessage: String, httpStatus: Int? = nil) -> StreamError {
        let metadataJSON: String? = switch metadata {
        case nil, .null?: nil
        case let value?: value.compactJSON
        }
        let text = message.flatMap { $0.isEmpty ? nil : $0 } ?? fallbackMessage
        return StreamError(code: code ?? fallbackCode, message: text, metadata: metadataJSON, httpStatus: httpStatus)
    }
}
