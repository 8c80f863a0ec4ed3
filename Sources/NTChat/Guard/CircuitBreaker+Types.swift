import NTLog
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The breaker's settings, read from the config (`[breaker]`) at every decision, so a SIGHUP applies at once.
public struct BreakerSettings: Sendable, Equatable {
    /// Consecutive failed attempts that open the breaker.
    public var failureThreshold: Int
    /// Share of failed attempts within the window that opens it, in (0, 1].
    public var failureRatio: Double
    /// The sliding window for the ratio, in seconds.
    public var windowSeconds: Double
    /// Attempts within the window before the ratio counts.
    public var minRequests: Int
    /// How long it stays open before one probe may pass, in seconds.
    public var openSeconds: Double

    public init(failureThreshold: Int = 5, failureRatio: Double = 0.5, windowSeconds: Double = 60, minRequests: Int = 10,
                openSeconds: Double = 30) {
        self.failureThreshold = failureThreshold
        self.failureRatio = failureRatio
        self.windowSeconds = windowSeconds
        self.minRequests = minRequests
        self.openSeconds = openSeconds
    }
}

/// Where the breaker stands; the raw values are what `GET /api/usage` shows.
public enum BreakerState: String, Sendable, Equatable {
    /// Requests pass; failures are counted.
    case closed
    /// Requests are refused until the open period ends.
    case open
    /// One probe request is (or may be) on its way; its outcome closes or reopens the breaker.
    case halfOpen = "half_open"

    /// The value of the `neural_terminal_circuit_breaker_state` gauge: 0 closed, 1 open, 2 half-open.
    public var gaugeValue: Int {
        switch self {
        case .closed: 0
        case .open: 1
        case .halfOpen: 2
        }
    }
}

/// How one upstream attempt went, as far as the breaker cares.
public enum BreakerOutcome: Sendable, Equatable {
    /// The upstream answered properly.
    case success
    /// A failure that counts: transport error, timeout, HTTP 5xx, 408, 429 (before or during the stream).
    case failure
    /// Says nothing about the upstream's health (other 4xx, no API key, stopped by the user before any answer).
    case ignored
}

/// Permission for one upstream attempt; hand it back with ``CircuitBreaker/record(_:_:)``.
public struct BreakerPermit: Sendable, Equatable {
    /// Whether this attempt is the half-open probe.
    public let isProbe: Bool
    /// The breaker's transition count when the permit was given; outcomes of older permits do not move it.
    let generation: Int
}

/// A refusal while the breaker is open (or its probe is on its way): when the next attempt may pass.
public struct CircuitOpen: Error, Sendable, Equatable, CustomStringConvertible {
    /// When the breaker lets a probe through, in seconds since the Unix epoch (wall clock).
    public let retryAtEpochSeconds: Double
    /// Seconds from now until then (at least 0).
    public let retryInSeconds: Double

    public init(retryAtEpochSeconds: Double, retryInSeconds: Double) {
        self.retryAtEpochSeconds = retryAtEpochSeconds
        self.retryInSeconds = max(0, retryInSeconds)
    }

    /// Whole seconds for a `Retry-After` header (at least 1).
    public var retryAfterHeaderSeconds: Int { max(1, Int(retryInSeconds.rounded(.up))) }

    /// `the upstream is failing; the circuit breaker retries at 2026-11-30T05:00:00.000Z (in 12 s)`.
    public var message: String {
        "the upstream is failing; the circuit breaker retries at \(BreakerSnapshot.rfc3339(retryAtEpochSeconds)) (in \(retryAfterHeaderSeconds) s)"
    }

    public var description: String { message }
}

/// The breaker's state at one moment.
public struct BreakerSnapshot: Sendable, Equatable {
    public let state: BreakerState
    /// When an open breaker lets a probe through (seconds since the epoch); nil when closed or half-open.
    public let retryAtEpochSeconds: Double?
    public let consecutiveFailures: Int

    public init(state: BreakerState, retryAtEpochSeconds: Double?, consecutiveFailures: Int) {
        self.state = state
        self.retryAtEpochSeconds = retryAtEpochSeconds
        self.consecutiveFailures = consecutiveFailures
    }

    /// A closed breaker without failures (what a process without a breaker reports).
    public static let closed = BreakerSnapshot(state: .closed, retryAtEpochSeconds: nil, consecutiveFailures: 0)

    /// RFC 3339 UTC with milliseconds.
    public static func rfc3339(_ epochSeconds: Double) -> String {
        let whole = epochSeconds.rounded(.down)
        return LogTimestamp(seconds: Int(whole), nanoseconds: Int((epochSeconds - whole) * 1e9)).rfc3339
    }
}

/// The breaker's sense of time: a monotonic clock for its decisions and the wall clock for what it reports.
/// Tests inject one they move by hand.
public struct BreakerClock: Sendable {
    /// Monotonic seconds (any origin).
    public let now: @Sendable () -> Double
    /// Seconds since the Unix epoch.
    public let wallNow: @Sendable () -> Double

    public init(now: @escaping @Sendable () -> Double, wallNow: @escaping @Sendable () -> Double) {
        self.now = now
        self.wallNow = wallNow
    }

    /// `CLOCK_MONOTONIC` and `CLOCK_REALTIME`.
    public static let system = BreakerClock(
        now: { read(CLOCK_MONOTONIC) },
        wallNow: { read(CLOCK_REALTIME) }
    )

    private static func read(_ clock: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
