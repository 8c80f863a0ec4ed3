/// How one upstream attempt went, as far as the breakers care: whose problem a failure is decides which circuit
/// counts it (ADR 0016).
public enum BreakerOutcome: Sendable, Equatable {
    /// The model answered properly.
    case success
    /// The upstream answered, but this model's answer failed: HTTP 5xx, 408, 429, or a stream that broke off,
    /// went silent, ended without finishing or carried an error. Counts against the model only.
    case failure
    /// No HTTP answer at all: the connection, TLS or the wait for the first byte failed. Counts against the
    /// upstream as a whole.
    case unreachable
    /// The upstream refused this request (4xx other than 408 and 429: a bad request, a rejected key, no credit,
    /// moderation, an unknown model): it is reachable, and the model's health is unknown.
    case rejected
    /// Says nothing (stopped before any answer, no API key, a request that could not be encoded).
    case ignored

    /// What the upstream's circuit makes of it: any HTTP answer shows the upstream is reachable.
    var upstreamVerdict: BreakerCircuit.Verdict {
        switch self {
        case .success, .failure, .rejected: .success
        case .unreachable: .failure
        case .ignored: .ignored
        }
    }

    /// What the model's circuit makes of it.
    var modelVerdict: BreakerCircuit.Verdict {
        switch self {
        case .success: .success
        case .failure: .failure
        case .unreachable, .rejected, .ignored: .ignored
        }
    }
}

extension CircuitBreaker {
    /// Whose problem a failed attempt is. An HTTP status: 408, 429 and 5xx are the model's (its provider is
    /// failing, overloaded or slow: OpenRouter answers them per model and provider), other 4xx are the request's,
    /// anything else (a redirect, a status ≤ 0) means the configured upstream does not answer as one. Without a
    /// status: connecting, TLS, the wait for the first byte and other transport errors before any byte are the
    /// upstream's; a missing API key, a request that could not be encoded and a cancelled transfer say nothing;
    /// everything after the upstream started answering (a cut, an idle or total timeout, an unreadable event, an
    /// error inside the stream) is the model's.
    public static func outcome(of failure: UpstreamFailure) -> BreakerOutcome {
        if let status = failure.httpStatus {
            switch status {
            case 408, 429, 500...599: return .failure
            case 400...499: return .rejected
            default: return .unreachable
            }
        }
        switch failure.code {
        case "connect", "timeout_connect", "timeout_first_byte", "tls", "transport": return .unreachable
        case "no_api_key", "invalid_request", "cancelled": return .ignored
        default: return .failure
        }
    }
}
