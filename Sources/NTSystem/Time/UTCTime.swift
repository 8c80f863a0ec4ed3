/// A moment in UTC to the second, split into calendar fields, without Foundation's calendars (UTC only, so no
/// time zone database is needed; a distroless container has none). Backup names, retention and the times the
/// supervisor and workers report use it.
public struct UTCTime: Sendable, Equatable, Comparable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public let unix: Int64
    public let year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

    public init(unix: Int64) {
        self.unix = unix
        let days = unix >= 0 ? unix / 86_400 : (unix - 86_399) / 86_400
        let seconds = Int(unix - days * 86_400)
        (year, month, day) = CivilDate.fromDays(days)
        hour = seconds / 3600
        minute = (seconds % 3600) / 60
        second = seconds % 60
    }

    /// Builds a time from fields (no range checks beyond what the arithmetic implies).
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        let days = CivilDate.days(year: year, month: month, day: day)
        self.init(unix: days * 86_400 + Int64(hour * 3600 + minute * 60 + second))
    }

    /// The current time, by the wall clock.
    public static func now() -> UTCTime {
        UTCTime(unix: Int64(WallClock.now().seconds))
    }

    public static func < (lhs: UTCTime, rhs: UTCTime) -> Bool { lhs.unix < rhs.unix }

    /// `20261130T051500Z`, the form in backup file names.
    public var compact: String {
        RFC3339.digits(year, 4) + RFC3339.digits(month, 2) + RFC3339.digits(day, 2) + "T" + RFC3339.digits(hour, 2)
            + RFC3339.digits(minute, 2) + RFC3339.digits(second, 2) + "Z"
    }

    /// `2026-11-30T05:15:00Z` (RFC 3339 without a fraction).
    public var iso8601: String {
        RFC3339.format(seconds: Int(unix), nanoseconds: nil)
    }

    /// Parses ``compact``.
    public init?(compact text: String) {
        let chars = Array(text.utf8)
        guard chars.count == 16, chars[8] == UInt8(ascii: "T"), chars[15] == UInt8(ascii: "Z"),
              let y = RFC3339.number(chars, 0..<4), let mo = RFC3339.number(chars, 4..<6), let d = RFC3339.number(chars, 6..<8),
              let h = RFC3339.number(chars, 9..<11), let mi = RFC3339.number(chars, 11..<13), let s = RFC3339.number(chars, 13..<15),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 60 else { return nil }
        self.init(year: y, month: mo, day: d, hour: h, minute: mi, second: s)
    }

    /// The ISO 8601 week: (week-based year, week 1…53); weeks start on Monday.
    public var isoWeek: (year: Int, week: Int) {
        let days = CivilDate.days(year: year, month: month, day: day)
        let weekday = Int(((days % 7) + 7 + 3) % 7) + 1  // 1 = Monday (1970-01-01 was a Thursday)
        let thursday = days - Int64(weekday - 4)
        let thursdayYear = CivilDate.fromDays(thursday).year
        let firstDay = CivilDate.days(year: thursdayYear, month: 1, day: 1)
        return (thursdayYear, Int((thursday - firstDay) / 7) + 1)
    }
}
