#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time in seconds since the Unix epoch, for uptimes and `status` (monotonic time drives timers).
enum UnixTime {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
