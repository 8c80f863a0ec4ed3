#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A wall-clock instant for the `ts` field of a log line, formatted as RFC 3339 in UTC with milliseconds
/// (`2026-11-30T04:05:06.789Z`).
///
/// Read with `clock_gettime(CLOCK_REALTIME)` and broken down with `gmtime_r`, so it needs neither Foundation
/// nor time-zone files (a distroless container has none). Milliseconds are truncated, not rounded, so a
/// line never appears to come from the next second.
public struct LogTimestamp: Sendable, Hashable {
    /// Whole seconds since the Unix epoch.
    public var seconds: Int
    /// Nanoseconds past `seconds`, 0..<1_000_000_000.
    public var nanoseconds: Int

    /// A timestamp from its parts; tests use it to format a fixed instant.
    public init(seconds: Int, nanoseconds: Int = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// The current wall-clock time.
    public static func now() -> LogTimestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return LogTimestamp(seconds: Int(time.tv_sec), nanoseconds: Int(time.tv_nsec))
    }

    /// The RFC 3339 form, e.g. `2026-11-30T04:05:06.789Z`.
    public var rfc3339: String {
        String(decoding: rfc3339Bytes, as: UTF8.self)
    }

    /// The RFC 3339 form as ASCII bytes (24 of them for years 0–9999).
    var rfc3339Bytes: [UInt8] {
        var epoch = time_t(seconds)
        var parts = tm()
        gmtime_r(&epoch, &parts)
        var out: [UInt8] = []
        out.reserveCapacity(24)
        append(Int(parts.tm_year) + 1900, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        append(Int(parts.tm_mon) + 1, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        append(Int(parts.tm_mday), width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        append(Int(parts.tm_hour), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        append(Int(parts.tm_min), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        append(Int(parts.tm_sec), width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        append(min(max(nanoseconds, 0), 999_999_999) / 1_000_000, width: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
        return out
    }

    /// Appends `value` as exactly `width` decimal digits (zero-padded, clamped to fit).
    private func append(_ value: Int, width: Int, to out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var remaining = min(max(value, 0), divisor * 10 - 1)
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(remaining / divisor))
            remaining %= divisor
            divisor /= 10
        }
    }
}
