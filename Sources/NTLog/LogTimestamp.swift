import NTSystem

/// A wall-clock instant for the `ts` field of a log line, formatted as RFC 3339 in UTC with milliseconds
/// (`2026-11-30T04:05:06.789Z`).
///
/// Read from ``WallClock`` and written by ``RFC3339``, so it needs neither Foundation nor time-zone files (a
/// distroless container has none). Milliseconds are truncated, not rounded, so a line never appears to come from
/// the next second.
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
        let (seconds, nanoseconds) = WallClock.now()
        return LogTimestamp(seconds: seconds, nanoseconds: nanoseconds)
    }

    /// The RFC 3339 form, e.g. `2026-11-30T04:05:06.789Z`.
    public var rfc3339: String {
        RFC3339.format(seconds: seconds, nanoseconds: nanoseconds)
    }

    /// The RFC 3339 form as ASCII bytes (24 of them for years 0–9999).
    var rfc3339Bytes: [UInt8] {
        RFC3339.bytes(seconds: seconds, nanoseconds: nanoseconds)
    }
}
