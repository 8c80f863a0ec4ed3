import FoundationEssentials

extension ModelInfo {
    /// Reads the body of `GET /models` (`{"data": [ … ]}`). Entries that do not decode (no id, a field of
    /// an unexpected type) are skipped rather than failing the list; the order is kept.
    ///
    /// - Throws: `DecodingError` when the body is not an object with a `data` array.
    public static func parseModelsResponse(_ bytes: [UInt8]) throws -> [ModelInfo] {
        let list = try JSONDecoder().decode(WireModelList.self, from: Data(bytes))
        return list.data.compactMap { $0.value?.modelInfo }
    }
}

/// `{"data": [model…]}` with each entry decoded on its own.
private struct WireModelList: Decodable {
    var data: [Lenient<WireModel>]
}

/// Decodes a value or, when that fails, nothing, without failing the surrounding array.
private struct Lenient<Value: Decodable>: Decodable {
    var value: Value?

    init(from decoder: any Decoder) throws {
        value = try? Value(from: decoder)
    }
}

/// One entry of OpenRouter's model list, reduced to what ``ModelInfo`` holds.
private struct WireModel: Decodable {
    var id: String
    var name: String?
    var contextLength: Int?
    var pricing: Pricing?
    var topProvider: TopProvider?

    enum CodingKeys: String, CodingKey {
        case id, name, pricing
        case contextLength = "context_length"
        case topProvider = "top_provider"
    }

    struct Pricing: Decodable {
        var prompt: Price?
        var completion: Price?
        var request: Price?
        var internalReasoning: Price?
        var inputCacheRead: Price?

        enum CodingKeys: String, CodingKey {
            case prompt, completion, request
            case internalReasoning = "internal_reasoning"
            case inputCacheRead = "input_cache_read"
        }
    }

    struct TopProvider: Decodable {
        var contextLength: Int?
        var maxCompletionTokens: Int?

        enum CodingKeys: String, CodingKey {
            case contextLength = "context_length"
            case maxCompletionTokens = "max_completion_tokens"
        }
    }

    var modelInfo: ModelInfo? {
        guard !id.isEmpty else { return nil }
        return ModelInfo(
            id: id, name: name.flatMap { $0.isEmpty ? nil : $0 } ?? id,
            contextLength: contextLength ?? topProvider?.contextLength,
            promptPrice: pricing?.prompt?.usd, completionPrice: pricing?.completion?.usd,
            requestPrice: pricing?.request?.usd, reasoningPrice: pricing?.internalReasoning?.usd,
            cacheReadPrice: pricing?.inputCacheRead?.usd, maxCompletionTokens: topProvider?.maxCompletionTokens
        )
    }
}

/// A price as OpenRouter writes it, a decimal string (`"0.0000025"`), or as a number. Negative prices
/// (`"-1"` marks the variable-priced router models) and unreadable ones mean "unknown".
private struct Price: Decodable {
    var usd: Double?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            usd = nil
        } else if let number = try? container.decode(Double.self) {
            usd = number
        } else {
            let text = try container.decode(String.self)
            usd = Double(text.filter { !$0.isWhitespace })
        }
        if let value = usd, !(value.isFinite && value >= 0) { usd = nil }
    }
}
