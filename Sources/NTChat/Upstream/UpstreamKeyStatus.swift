import NTOpenRouter

/// What is known about the upstream API key: valid or not, and its remaining credit. Reported by `/ready` (through
/// the web worker's `upstream-key` IPC command) and `/api/diagnostics`; it never holds the key or its label.
public struct UpstreamKeyStatus: Codable, Sendable, Equatable {
    /// The verdict of the last check.
    public enum State: String, Codable, Sendable {
        /// The upstream accepted the key (`GET /key` answered 200).
        case valid
        /// The upstream rejected the key (401 or 403): chat turns will fail until it is replaced.
        case invalid
        /// Not known: not checked yet, the upstream unreachable, or an answer that says nothing about the key
        /// (5xx, 429, an unreadable body). Never reported as `invalid`.
        case unknown
        /// The upstream has no key endpoint (404/405: an OpenAI-compatible server that is not OpenRouter).
        case unsupported
        /// No key is configured.
        case none
    }

    /// The verdict.
    public var state: State
    /// What remains of the key's credit limit in USD; nil when the key has no limit or it is not known.
    public var limitRemainingUSD: Double?
    /// Whether the key has a credit limit; nil when not known (the key was not found valid).
    public var hasLimit: Bool?
    /// When the verdict was reached, ISO 8601 UTC; nil before the first check.
    public var checkedAt: String?
    /// A short reason for operators (`HTTP 401`, `connect`, `not checked yet`); never contains the key.
    public var detail: String

    /// A status with the given fields.
    public init(state: State, limitRemainingUSD: Double? = nil, hasLimit: Bool? = nil, checkedAt: String? = nil, detail: String = "") {
        self.state = state
        self.limitRemainingUSD = limitRemainingUSD
        self.hasLimit = hasLimit
        self.checkedAt = checkedAt
        self.detail = detail
    }

    /// The status before any check has run.
    public static let notChecked = UpstreamKeyStatus(state: .unknown, detail: "not checked yet")

    /// A valid key with the credit figures of `info`.
    public static func valid(_ info: KeyInfo) -> UpstreamKeyStatus {
        UpstreamKeyStatus(state: .valid, limitRemainingUSD: info.limitRemainingUSD, hasLimit: info.limitUSD != nil)
    }

    /// The verdict for an answer of `GET /key` with `status` and `body`.
    public static func from(status: Int, body: [UInt8]) -> UpstreamKeyStatus {
        switch status {
        case 200:
            guard let info = try? KeyInfo.parseKeyResponse(body) else {
                return UpstreamKeyStatus(state: .unknown, detail: "unreadable answer from GET /key")
            }
            return .valid(info)
        case 401, 403: return UpstreamKeyStatus(state: .invalid, detail: "HTTP \(status) from GET /key")
        case 404, 405: return UpstreamKeyStatus(state: .unsupported, detail: "HTTP \(status): the upstream has no /key endpoint")
        default: return UpstreamKeyStatus(state: .unknown, detail: "HTTP \(status) from GET /key")
        }
    }

    /// One sentence for `/ready`'s notes: the verdict and the credit, e.g. `api key valid; 9.50 USD credit left
    /// of its limit`.
    public var summary: String {
        switch state {
        case .valid:
            guard hasLimit == true else { return "api key valid; no credit limit on the key (the account balance applies)" }
            let remaining = limitRemainingUSD.map { Self.usd($0) } ?? "unknown"
            return "api key valid; \(remaining) USD credit left of the key's limit"
        case .invalid: return "api key invalid: the upstream rejected it (\(detail)); replace it and send SIGHUP"
        case .unknown: return "api key not verified: \(detail)"
        case .unsupported: return "api key not verified: \(detail)"
        case .none: return "no api key: set OPENROUTER_API_KEY or upstream.api_key_file (or run `make demo`)"
        }
    }

    /// USD with two decimals (cents), rounded down so a nearly empty key never shows more than it has.
    static func usd(_ value: Double) -> String {
        let cents = Int((value * 100).rounded(.down))
        let sign = cents < 0 ? "-" : ""
        let magnitude = abs(cents)
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    enum CodingKeys: String, CodingKey {
        case state, detail
        case limitRemainingUSD = "limit_remaining_usd"
        case hasLimit = "has_limit"
        case checkedAt = "checked_at"
    }

    /// Every key present, `null` when unknown, so `/ready` has a stable shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(state, forKey: .state)
        try c.encode(limitRemainingUSD, forKey: .limitRemainingUSD)
        try c.encode(hasLimit, forKey: .hasLimit)
        try c.encode(checkedAt, forKey: .checkedAt)
        try c.encode(detail, forKey: .detail)
    }
}
