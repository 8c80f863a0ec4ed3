import FoundationEssentials
import NTChat
import NTCurl

extension OpenRouterUpstream: GenerationRecords {
    /// Looks up OpenRouter's record of a generation (`GET {base_url}/generation?id=`): its `total_cost`, the
    /// provider's native token counts and whether the client cancelled it. A 404 means not written yet (the
    /// record lags the stream by seconds); 5xx, 429 and transport failures are worth another try; any other
    /// answer (no such endpoint on this upstream, a refused key) means it keeps no records for us.
    public func generation(id: String) async -> GenerationLookup {
        let s = settings()
        guard let key = s.apiKey, !key.isEmpty else { return .unsupported("no upstream API key") }
        // Generation ids are `gen-` and letters, digits, dashes; anything else is not sent as it is.
        let escaped = String(id.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") })
        var request = Self.curlRequest(s, path: "/generation?id=\(escaped)", method: "GET", headers: Self.headers(s, key: key, requestID: nil), body: nil)
        request.totalTimeout = min(request.totalTimeout, .seconds(30))
        let answer: (status: Int, headers: [(String, String)], body: [UInt8])
        do {
            answer = try await client.fetch(request, maxBytes: 1 << 20)
        } catch {
            return .notYet
        }
        switch answer.status {
        case 200:
            guard let record = Self.generationRecord(answer.body) else { return .unsupported("an unreadable generation record") }
            return .found(record)
        case 404, 408, 429, 500...599:
            return .notYet
        default:
            return .unsupported("GET /generation answered \(answer.status)")
        }
    }

    /// The record's `data` object as OpenRouter's GenerationResponse has it; nil without a `total_cost`.
    static func generationRecord(_ body: [UInt8]) -> GenerationRecord? {
        struct Envelope: Decodable {
            struct Data: Decodable {
                let totalCost: Double?
                let nativeTokensPrompt: Int?
                let nativeTokensCompletion: Int?
                let nativeTokensReasoning: Int?
                let cancelled: Bool?

                enum CodingKeys: String, CodingKey {
                    case totalCost = "total_cost"
                    case nativeTokensPrompt = "native_tokens_prompt"
                    case nativeTokensCompletion = "native_tokens_completion"
                    case nativeTokensReasoning = "native_tokens_reasoning"
                    case cancelled
                }
            }
            let data: Data
        }
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(body)),
              let cost = envelope.data.totalCost, cost.isFinite, cost >= 0 else { return nil }
        let d = envelope.data
        return GenerationRecord(
            totalCostUSD: cost, promptTokens: d.nativeTokensPrompt, completionTokens: d.nativeTokensCompletion,
            reasoningTokens: d.nativeTokensReasoning, cancelled: d.cancelled ?? false
        )
    }
}
