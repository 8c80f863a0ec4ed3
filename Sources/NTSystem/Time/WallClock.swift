#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The wall clock (`CLOCK_REALTIME`), read without Foundation: what timestamps, backup names, budget days and
/// uptimes come from. Timers and timeouts use monotonic time instead, which a clock step cannot move.
public enum WallClock {
    /// Now, as whole seconds since 1970-01-01T00:00:00Z and nanoseconds past them (0..<1_000_000_000).
    public static func now() -> (seconds: Int, nanoseconds: Int) {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return (Int(time.tv_sec), Int(time.tv_nsec))
    }

    /// Now, as seconds since the epoch with a fraction.
    public static func secondsSinceEpoch() -> Double {
        let (seconds, nanoseconds) = now()
        return Double(seconds) + Double(nanoseconds) / 1e9
    }
}
