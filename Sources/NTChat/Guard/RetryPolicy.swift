/// Retries of a failed upstream attempt before the first token reached the user (`[retry]` in the config).
///
/// The n-th retry (n = 0 for the first) waits a random time between half and all of
/// `min(maxDelay, baseDelay × 2^n)` ("equal jitter": never a thundering herd, never no pause). A 429 or 503 that
/// carries `Retry-After` waits at least that long; when it asks for more than `maxDelay`, there is no retry and the
/// error goes to the client at once (it is marked retryable, so the client can come back later).
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt; 0 = never retry.
    public var maxRetries: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxRetries: Int = 2, baseDelay: Duration = .milliseconds(250), maxDelay: Duration = .milliseconds(5000)) {
        self.maxRetries = max(0, maxRetries)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// No retries.
    public static let none = RetryPolicy(maxRetries: 0)

    /// The wait before retry number `retry` (0-based) of a request that failed with `failure`, or nil when it must
    /// not be retried: too many retries already, a failure that is not retryable, or a `Retry-After` longer than
    /// ``maxDelay``. Whether text was already relayed is the caller's to check.
    public func delay(beforeRetry retry: Int, after failure: UpstreamFailure,
                      using random: inout some RandomNumberGenerator) -> Duration? {
        guard retry >= 0, retry < maxRetries, failure.retryable else { return nil }
        let cap = Self.seconds(maxDelay)
        let exponential = Self.seconds(baseDelay) * Double(1 << min(retry, 30))
        let backoff = min(cap, exponential)
        var wait = Double.random(in: (backoff / 2)...backoff, using: &random)
        if let asked = failure.retryAfterSeconds, failure.httpStatus == 429 || failure.httpStatus == 503 {
            guard asked <= cap else { return nil }
            wait = max(wait, asked)
        }
        return .nanoseconds(Int64((wait * 1e9).rounded()))
    }

    /// ``delay(beforeRetry:after:using:)`` with the system's random numbers.
    public func delay(beforeRetry retry: Int, after failure: UpstreamFailure) -> Duration? {
        var generator = SystemRandomNumberGenerator()
        return delay(beforeRetry: retry, after: failure, using: &generator)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
