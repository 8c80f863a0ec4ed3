import FoundationEssentials

/// What `GET /api/v1/key` says about the key that made the request, reduced to what the appliance may report:
/// its credit limit, what remains of it, and its usage.
///
/// The answer's `label` is deliberately not read: OpenRouter fills it with a masked form of the key itself
/// (`sk-or-v1-au7...890`), and nothing derived from the key may reach a probe, a log or the browser.
public struct KeyInfo: Sendable, Equatable {
    /// The key's credit limit in USD; nil when the key has none (then the account balance is the only limit).
    public var limitUSD: Double?
    /// What remains of `limitUSD`, in USD; nil when the key has no limit.
    public var limitRemainingUSD: Double?
    /// Credit used by the key so far, in USD, when reported.
    public var usageUSD: Double?
    /// Whether the key belongs to a free-tier account (one that never bought credit), when reported.
    public var isFreeTier: Bool?

    /// A key description with the given figures.
    public init(limitUSD: Double?, limitRemainingUSD: Double?, usageUSD: Double?, isFreeTier: Bool?) {
        self.limitUSD = limitUSD
        self.limitRemainingUSD = limitRemainingUSD
        self.usageUSD = usageUSD
        self.isFreeTier = isFreeTier
    }

    /// Reads the body of `GET /key`: `{"data": {"limit": 100|null, "limit_remaining": 74.5|null, "usage": 25.5,
    /// "is_free_tier": false, …}}`. Fields of another type than expected (a limit sent as a string) count as
    /// absent rather than failing; unknown fields are ignored.
    ///
    /// - Throws: `DecodingError` when the body is not JSON or has no `data` object.
    public static func parseKeyResponse(_ bytes: [UInt8]) throws -> KeyInfo {
        let wire = try JSONDecoder().decode(WireKeyResponse.self, from: Data(bytes))
        let data = wire.data
        return KeyInfo(
            limitUSD: data.limit?.value, limitRemainingUSD: data.limitRemaining?.value, usageUSD: data.usage?.value,
            isFreeTier: data.isFreeTier?.value
        )
    }
}

/// `{"data": {…}}`.
private struct WireKeyResponse: Decodable {
    var data: WireKeyData
}

/// The fields of `data` that are read; `label` is absent on purpose (see ``KeyInfo``).
private struct WireKeyData: Decodable {
    var limit: Loose<Double>?
    var limitRemaining: Loose<Double>?
    var usage: Loose<Double>?
    var isFreeTier: Loose<Bool>?

    enum CodingKeys: String, CodingKey {
        case limit, usage
        case limitRemaining = "limit_remaining"
        case isFreeTier = "is_free_tier"
    }
}

/// A value that decodes to nil instead of failing when the field has another type.
private struct Loose<Value: Decodable>: Decodable {
    var value: Value?

    init(from decoder: any Decoder) throws {
        value = try? decoder.singleValueContainer().decode(Value.self)
    }
}
