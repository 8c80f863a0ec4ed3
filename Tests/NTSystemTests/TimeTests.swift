import NTSystem
import Testing

/// The UTC calendar arithmetic every module uses: civil dates, instants, days and RFC 3339 text.
@Suite("UTC time: civil dates, instants, days, RFC 3339")
struct TimeTests {
    @Test("day numbers and civil dates convert both ways, across leap years, centuries and the epoch")
    func civilDates() {
        #expect(CivilDate.fromDays(0) == (1970, 1, 1))
        #expect(CivilDate.fromDays(-1) == (1969, 12, 31))
        #expect(CivilDate.days(year: 2000, month: 2, day: 29) == 11_016)
        #expect(CivilDate.fromDays(CivilDate.days(year: 2100, month: 3, day: 1)) == (2100, 3, 1))
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let date = CivilDate.fromDays(days)
            #expect(CivilDate.days(year: date.year, month: date.month, day: date.day) == days)
        }
    }

    @Test("instants split into fields, before and after the epoch, and print as backup names and ISO 8601")
    func utcTimes() {
        let time = UTCTime(unix: 1_796_015_709)
        #expect((time.year, time.month, time.day, time.hour, time.minute, time.second) == (2026, 11, 30, 5, 15, 9))
        #expect(time.compact == "20261130T051509Z")
        #expect(time.iso8601 == "2026-11-30T05:15:09Z")
        #expect(UTCTime(year: 2026, month: 11, day: 30, hour: 5, minute: 15, second: 9) == time)
        let before = UTCTime(unix: -1)
        #expect((before.year, before.month, before.day, before.hour, before.minute, before.second) == (1969, 12, 31, 23, 59, 59))
        #expect(before.iso8601 == "1969-12-31T23:59:59Z")
        #expect(UTCTime.now().unix > 1_735_689_600)
    }

    @Test("UTC days: from instants, civil dates and text; their months")
    func utcDaysAndMonths() {
        let day = UTCDay(epochSeconds: 1_795_996_800)  // 2026-11-30T00:00:00Z
        #expect(day.description == "2026-11-30")
        #expect(day.monthString == "2026-11")
        #expect(UTCDay(epochSeconds: 1_795_996_799).description == "2026-11-29")
        #expect(day.adding(days: 1).description == "2026-12-01")
        #expect(day.firstOfMonth.description == "2026-11-01")
        #expect(day.firstOfNextMonth.description == "2026-12-01")
        #expect(UTCDay(year: 2026, month: 12, day: 15).firstOfNextMonth.description == "2027-01-01")
        #expect(UTCDay(year: 2028, month: 2, day: 28).adding(days: 1).description == "2028-02-29")
        #expect(UTCDay(daysSinceEpoch: 0).description == "1970-01-01")
        #expect(UTCDay(parsing: "2026-11-30") == day)
        #expect(UTCDay(parsing: "2026-13-01") == nil)
    }

    @Test("RFC 3339 text gives the instant, with milliseconds and offsets counted exactly")
    func rfc3339Instants() {
        #expect(RFC3339.unixMilliseconds("1970-01-01T00:00:00.000Z") == 0)
        #expect(RFC3339.unixMilliseconds("1970-01-01T00:00:01.5Z") == 1500)
        #expect(RFC3339.unixMilliseconds("1970-01-01T01:00:00+01:00") == 0)
        #expect(RFC3339.unixMilliseconds("1969-12-31T23:00:00-01:00") == 0)
        #expect(RFC3339.unixMilliseconds("2026-11-30T05:00:00.123456Z") == RFC3339.unixMilliseconds("2026-11-30T05:00:00.123Z"))
        #expect(RFC3339.unixMilliseconds("2026-03-01t00:00:00z") == RFC3339.unixMilliseconds("2026-03-01T00:00:00Z"))
        #expect(RFC3339.parse("2026-09-01T01:30:00+02:00")?.wallClockMilliseconds == RFC3339.unixMilliseconds("2026-09-01T01:30:00Z"))
        for text in ["2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00"] {
            #expect(RFC3339.unixMilliseconds(text) == nil, "\(text)")
        }
        for text in ["", "2026-09-01 00:00:00Z", "2026-09-01T00:00:00.Z", "2026-09-01T00:00:00+0200", "２026-09-01T00:00:00Z"] {
            #expect(RFC3339.parse(text) == nil, "\(text)")
        }
    }

    @Test("the form the appliance writes: UTC, exactly three fraction digits, truncated; a real date or not")
    func rfc3339Form() {
        #expect(RFC3339.format(seconds: 1_796_011_506, nanoseconds: 789_654_321) == "2026-11-30T04:05:06.789Z")
        #expect(RFC3339.format(seconds: -1, nanoseconds: 999_999_999) == "1969-12-31T23:59:59.999Z")
        #expect(RFC3339.format(seconds: 0, nanoseconds: nil) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.parse("2026-11-30T04:05:06.7Z")?.canonical == "2026-11-30T04:05:06.700Z")
        #expect(RFC3339.parse("2026-11-30t04:05:06.789+01:00")?.canonical == "2026-11-30T04:05:06.789Z")
        #expect(RFC3339.parse("2028-02-29T23:59:59.999Z")?.isRealDateTime == true)
        for text in ["2026-02-29T12:00:00.000Z", "2026-04-31T12:00:00.000Z", "2026-01-01T23:59:60.000Z", "2026-00-10T00:00:00Z"] {
            #expect(RFC3339.parse(text)?.isRealDateTime == false, "\(text)")
        }
    }
}
