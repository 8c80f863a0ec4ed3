import NTSystem

/// A moment in UTC, split into calendar fields, without Foundation's calendars (ISO 8601 and UTC only, so no
/// time zone database is needed; a distroless container has none).
public struct UTCTime: Sendable, Equatable, Comparable {
    public let unix: Int64
    public let year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

    public init(unix: Int64) {
        self.unix = unix
        let days = Int64((Double(unix) / 86_400).rounded(.down))
        let seconds = Int(unix - days * 86_400)
        (year, month, day) = Self.civil(fromDays: days)
        hour = seconds / 3600
        minute = (seconds % 3600) / 60
        second = seconds % 60
    }

    /// Builds a time from fields (no range checks beyond what the arithmetic implies).
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        let days = Self.days(fromCivil: year, month, day)
        self.init(unix: days * 86_400 + Int64(hour * 3600 + minute * 60 + second))
    }

    /// The current time.
    public static func now() -> UTCTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UTCTime(unix: Int64(spec.tv_sec))
    }

    public static func < (lhs: UTCTime, rhs: UTCTime) -> Bool { lhs.unix < rhs.unix }

    /// `20261130T051500Z`, the form in backup file names.
    public var compact: String {
        pad(year, 4) + pad(month, 2) + pad(day, 2) + "T" + pad(hour, 2) + pad(minute, 2) + pad(second, 2) + "Z"
    }

    /// `2026-11-30T05:15:00Z`.
    public var iso8601: String {
        pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(hour, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2) + "Z"
    }

    /// Parses ``compact``.
    public init?(compact text: String) {
        let chars = Array(text.utf8)
        guard chars.count == 16, chars[8] == UInt8(ascii: "T"), chars[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for c in chars[range] {
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard let y = number(0..<4), let mo = number(4..<6), let d = number(6..<8), let h = number(9..<11),
              let mi = number(11..<13), let s = number(13..<15), (1...12).contains(mo), (1...31).contains(d),
              h < 24, mi < 60, s < 60 else { return nil }
        self.init(year: y, month: mo, day: d, hour: h, minute: mi, second: s)
    }

    /// The ISO 8601 week: (week-based year, week 1…53); weeks start on Monday.
    public var isoWeek: (year: Int, week: Int) {
        let days = Self.days(fromCivil: year, month, day)
        let weekday = Int(((days % 7) + 7 + 3) % 7) + 1  // 1 = Monday (1970-01-01 was a Thursday)
        let thursday = days - Int64(weekday - 4)
        let (thursdayYear, _, _) = Self.civil(fromDays: thursday)
        let firstDay = Self.days(fromCivil: thursdayYear, 1, 1)
        return (thursdayYear, Int((thursday - firstDay) / 7) + 1)
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// Days since 1970-01-01 → (year, month, day).
    static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let date = CivilDate.fromDays(days)
        return (date.year, date.month, date.day)
    }

    /// (year, month, day) → days since 1970-01-01.
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int64 {
        CivilDate.days(year: year, month: month, day: day)
    }
}

#if canImport(Glibc)
import Glibc
#endif
