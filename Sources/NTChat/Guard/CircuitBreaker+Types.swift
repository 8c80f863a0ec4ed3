#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The breakers' settings, the same for the upstream's circuit and every model's; read from the config
/// (`[breaker]`) at every decision, so a SIGHUP applies at once.
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
