import NTLog

/// Permission for one upstream attempt; hand it back with ``CircuitBreaker/record(_:_:)``.
public struct BreakerPermit: Sendable, Equatable {
    /// The model the attempt is for.
    public let model: String
    let upstream: CircuitPermit
    let modelPermit: CircuitPermit

    /// Whether this attempt is a half-open probe, of the upstream's circuit or of the model's.
    public var isProbe: Bool { upstream.isProbe || modelPermit.isProbe }
}

/// A refusal while a circuit is open (or its probe is on its way): when the next attempt may pass.
public struct CircuitOpen: Error, Sendable, Equatable, CustomStringConvertible {
    /// When the circuit lets a probe through, in seconds since the Unix epoch (wall clock).
    public let retryAtEpochSeconds: Double
    /// Seconds from now until then (at least 0).
    public let retryInSeconds: Double
    /// The model whose own circuit refused; nil when the upstream's circuit refused (every model is refused).
    public let model: String?

    public init(retryAtEpochSeconds: Double, retryInSeconds: Double, model: String? = nil) {
        self.retryAtEpochSeconds = retryAtEpochSeconds
        self.retryInSeconds = max(0, retryInSeconds)
        self.model = model
    }

    /// Whole seconds for a `Retry-After` header (at least 1).
    public var retryAfterHeaderSeconds: Int { max(1, Int(retryInSeconds.rounded(.up))) }

    /// `the upstream is failing; the circuit breaker retries at 2026-11-30T05:00:00.000Z (in 12 s)`, or for one
    /// model `the model m is failing; its circuit breaker retries at … (in 12 s); other models can be used`.
    public var message: String {
        let when = "retries at \(BreakerSnapshot.rfc3339(retryAtEpochSeconds)) (in \(retryAfterHeaderSeconds) s)"
        guard let model else { return "the upstream is failing; the circuit breaker \(when)" }
        return "the model \(model) is failing; its circuit breaker \(when); other models can be used"
    }

    public var description: String { message }
}

/// The breakers' state at one moment: the upstream's circuit, and the models whose circuit has something to say.
public struct BreakerSnapshot: Sendable, Equatable {
    public let state: BreakerState
    /// When an open circuit lets a probe through (seconds since the epoch); nil when closed or half-open.
    public let retryAtEpochSeconds: Double?
    public let consecutiveFailures: Int
    /// Models whose circuit is open, half-open, or closed with failures counted; by model id.
    public let models: [ModelBreakerSnapshot]

    public init(state: BreakerState, retryAtEpochSeconds: Double?, consecutiveFailures: Int, models: [ModelBreakerSnapshot] = []) {
        self.state = state
        self.retryAtEpochSeconds = retryAtEpochSeconds
        self.consecutiveFailures = consecutiveFailures
        self.models = models
    }

    /// A closed breaker without failures (what a process without a breaker reports).
    public static let closed = BreakerSnapshot(state: .closed, retryAtEpochSeconds: nil, consecutiveFailures: 0)

    /// RFC 3339 UTC with milliseconds.
    public static func rfc3339(_ epochSeconds: Double) -> String {
        let whole = epochSeconds.rounded(.down)
        return LogTimestamp(seconds: Int(whole), nanoseconds: Int((epochSeconds - whole) * 1e9)).rfc3339
    }
}

/// One model's circuit at one moment.
public struct ModelBreakerSnapshot: Sendable, Equatable {
    public let model: String
    public let state: BreakerState
    /// When an open circuit lets a probe through (seconds since the epoch); nil when closed or half-open.
    public let retryAtEpochSeconds: Double?
    public let consecutiveFailures: Int

    public init(model: String, state: BreakerState, retryAtEpochSeconds: Double?, consecutiveFailures: Int) {
        self.model = model
        self.state = state
        self.retryAtEpochSeconds = retryAtEpochSeconds
        self.consecutiveFailures = consecutiveFailures
    }
}

/// `{"state", "retry_at", "consecutive_failures", "models": [{"model", "state", "retry_at", "consecutive_failures"}]}`
/// as `GET /api/usage` and `GET /api/diagnostics` show it; `retry_at` is RFC 3339 UTC with milliseconds, or null.
extension BreakerSnapshot: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: BreakerCodingKeys.self)
        try c.encodeCircuit(state: state, retryAt: retryAtEpochSeconds, consecutiveFailures: consecutiveFailures)
        try c.encode(models, forKey: .models)
    }
}

extension ModelBreakerSnapshot: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: BreakerCodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encodeCircuit(state: state, retryAt: retryAtEpochSeconds, consecutiveFailures: consecutiveFailures)
    }
}

enum BreakerCodingKeys: String, CodingKey {
    case model, state, models
    case retryAt = "retry_at"
    case consecutiveFailures = "consecutive_failures"
}

extension KeyedEncodingContainer<BreakerCodingKeys> {
    /// The fields every circuit shows: `state`, `retry_at`, `consecutive_failures`.
    mutating func encodeCircuit(state: BreakerState, retryAt: Double?, consecutiveFailures: Int) throws {
        try encode(state.rawValue, forKey: .state)
        try encode(retryAt.map(BreakerSnapshot.rfc3339), forKey: .retryAt)
        try encode(consecutiveFailures, forKey: .consecutiveFailures)
    }
}
