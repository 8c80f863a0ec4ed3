/// A calendar day in UTC, the unit of daily budgets and of `by_day` in `GET /api/usage`.
///
/// Computed from days since the Unix epoch (``CivilDate``), so it needs neither Foundation nor time-zone
/// files. Stored timestamps are RFC 3339 UTC text (`2026-11-30T04:05:06.789Z`), so a
/// day's rows are those whose `created_at` sorts in `[day, next day)`.
public struct UTCDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public let daysSinceEpoch: Int

    /// The day with this number (0 = 1970-01-01).
    public init(daysSinceEpoch: Int) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// The UTC day holding this instant (seconds since the epoch).
    public init(epochSeconds: Int) {
        self.init(daysSinceEpoch: epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400)
    }

    /// A day from its civil date; `month` 1…12, `day` 1…31 (not checked against the month's length).
    public init(year: Int, month: Int, day: Int) {
        self.init(daysSinceEpoch: Int(CivilDate.days(year: year, month: month, day: day)))
    }

    /// Today, by the wall clock.
    public static func today() -> UTCDay { UTCDay(epochSeconds: WallClock.now().seconds) }

    /// The civil date (year, month 1…12, day 1…31).
    public var civil: (year: Int, month: Int, day: Int) {
        CivilDate.fromDays(Int64(daysSinceEpoch))
    }

    /// `days` later (earlier when negative).
    public func adding(days: Int) -> UTCDay { UTCDay(daysSinceEpoch: daysSinceEpoch + days) }

    /// The first day of this day's month.
    public var firstOfMonth: UTCDay {
        let c = civil
        return UTCDay(year: c.year, month: c.month, day: 1)
    }

    /// The first day of the next month.
    public var firstOfNextMonth: UTCDay {
        let c = civil
        return c.month == 12 ? UTCDay(year: c.year + 1, month: 1, day: 1) : UTCDay(year: c.year, month: c.month + 1, day: 1)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        let c = civil
        return RFC3339.digits(c.year, 4) + "-" + RFC3339.digits(c.month, 2) + "-" + RFC3339.digits(c.day, 2)
    }

    /// `YYYY-MM`.
    public var monthString: String {
        let c = civil
        return RFC3339.digits(c.year, 4) + "-" + RFC3339.digits(c.month, 2)
    }

    public static func < (lhs: UTCDay, rhs: UTCDay) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }
}

extension UTCDay {
    /// Reads `YYYY-MM-DD`; nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        self.init(year: year, month: month, day: day)
    }
}
