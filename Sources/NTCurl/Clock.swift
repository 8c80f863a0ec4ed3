import Glibc

/// CLOCK_MONOTONIC in nanoseconds (the same clock as `ContinuousClock` and Python's `time.monotonic`).
func monotonicNanos() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
}

extension Duration {
    /// Whole nanoseconds, clamped to 0 for negative durations.
    var nanoseconds: UInt64 {
        guard self > .zero else { return 0 }
        let (seconds, attoseconds) = components
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
    }

    /// Whole milliseconds for libcurl, rounded up so that a positive duration never becomes 0 ("no limit").
    var curlMilliseconds: Int {
        let nanos = nanoseconds
        return nanos == 0 ? 0 : Int((nanos + 999_999) / 1_000_000)
    }
}
