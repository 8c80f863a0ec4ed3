/// RFC 3339 timestamps (`2026-11-30T04:05:06.789Z`), read and written without Foundation or time-zone files.
///
/// The appliance writes one form, UTC to the millisecond (``format(seconds:nanoseconds:)``); it reads any offset
/// and fraction (``parse(_:)``), since an import may carry times another tool wrote.
public enum RFC3339 {
    /// The fields of a timestamp as written; ranges are checked by the properties that need them.
    public struct Fields: Sendable, Equatable {
        public var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
        /// The first three fraction digits, as milliseconds (0 without a fraction).
        public var milliseconds: Int
        /// How many fraction digits the text had (0: none).
        public var fractionDigits: Int
        /// The UTC offset in minutes; nil for `Z`.
        public var offsetMinutes: Int?

        /// Milliseconds since 1970-01-01T00:00:00Z of the instant; nil when a field is out of range (month 1…12,
        /// day 1…31, hour below 24, minute below 60, second up to a leap second's 60, offset within ±23:59).
        public var unixMilliseconds: Int64? {
            wallClockMilliseconds.map { $0 - Int64(offsetMinutes ?? 0) * 60_000 }
        }

        /// The date and time read as if they were UTC, the offset ignored (within a day of the instant); nil when a
        /// field is out of range, as for ``unixMilliseconds``.
        public var wallClockMilliseconds: Int64? {
            let offset = abs(offsetMinutes ?? 0)
            guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61,
                  offset / 60 < 24, offset % 60 < 60 else { return nil }
            let days = CivilDate.days(year: year, month: month, day: day)
            return (days * 86_400 + Int64(hour * 3600 + minute * 60 + second)) * 1000 + Int64(milliseconds)
        }

        /// Whether the date exists (30 February does not) and the time is a time of day without a leap second.
        public var isRealDateTime: Bool {
            guard (1...12).contains(month), day >= 1, hour < 24, minute < 60, second < 60 else { return false }
            return CivilDate.fromDays(CivilDate.days(year: year, month: month, day: day)) == (year, month, day)
        }

        /// The fields in the one form the appliance writes: `YYYY-MM-DDTHH:MM:SS.mmmZ` (the offset left out).
        public var canonical: String {
            String(decoding: RFC3339.bytes(year, month, day, hour, minute, second, milliseconds: milliseconds), as: UTF8.self)
        }
    }

    /// Reads `YYYY-MM-DDTHH:MM:SS`, an optional fraction, then `Z` or `±HH:MM` (`T` and `Z` in either case); nil
    /// when the text does not have that shape.
    public static func parse(_ text: String) -> Fields? {
        let b = Array(text.utf8)
        guard b.count >= 20, b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 116, b[13] == 58, b[16] == 58,
              let year = number(b, 0..<4), let month = number(b, 5..<7), let day = number(b, 8..<10),
              let hour = number(b, 11..<13), let minute = number(b, 14..<16), let second = number(b, 17..<19)
        else { return nil }
        var i = 19
        var milliseconds = 0, fractionDigits = 0
        if b[i] == 46 {
            i += 1
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if fractionDigits < 3 { milliseconds = milliseconds * 10 + Int(b[i] - 48) }
                fractionDigits += 1
                i += 1
            }
            guard fractionDigits > 0 else { return nil }
            for _ in fractionDigits..<max(fractionDigits, 3) { milliseconds *= 10 }
        }
        var offset: Int?
        if i == b.count - 1, b[i] == 90 || b[i] == 122 {
            offset = nil
        } else if i == b.count - 6, b[i] == 43 || b[i] == 45, b[i + 3] == 58, let h = number(b, i + 1..<i + 3),
                  let m = number(b, i + 4..<i + 6) {
            offset = (b[i] == 45 ? -1 : 1) * (h * 60 + m)
        } else {
            return nil
        }
        return Fields(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                      milliseconds: milliseconds, fractionDigits: fractionDigits, offsetMinutes: offset)
    }

    /// Milliseconds since the epoch of an RFC 3339 timestamp; nil if it is not one (see ``Fields/unixMilliseconds``).
    public static func unixMilliseconds(_ text: String) -> Int64? {
        parse(text)?.unixMilliseconds
    }

    /// The instant `seconds` (since the epoch) plus `nanoseconds` as `2026-11-30T04:05:06.789Z`, milliseconds
    /// truncated so a time never appears to come from the next second; without a fraction when `nanoseconds` is nil.
    public static func format(seconds: Int, nanoseconds: Int?) -> String {
        String(decoding: bytes(seconds: seconds, nanoseconds: nanoseconds), as: UTF8.self)
    }

    /// ``format(seconds:nanoseconds:)`` as ASCII bytes (24 of them with a fraction, for years 0–9999).
    public static func bytes(seconds: Int, nanoseconds: Int?) -> [UInt8] {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        let date = CivilDate.fromDays(Int64(days))
        let milliseconds = nanoseconds.map { min(max($0, 0), 999_999_999) / 1_000_000 }
        return bytes(date.year, date.month, date.day, time / 3600, time % 3600 / 60, time % 60, milliseconds: milliseconds)
    }

    private static func bytes(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int,
                              milliseconds: Int?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        append(year, 4, &out); out.append(45); append(month, 2, &out); out.append(45); append(day, 2, &out)
        out.append(84)
        append(hour, 2, &out); out.append(58); append(minute, 2, &out); out.append(58); append(second, 2, &out)
        if let milliseconds {
            out.append(46)
            append(milliseconds, 3, &out)
        }
        out.append(90)
        return out
    }

    /// `value` as exactly `width` decimal digits (zero-padded, clamped to fit).
    static func digits(_ value: Int, _ width: Int) -> String {
        var out: [UInt8] = []
        append(value, width, &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func append(_ value: Int, _ width: Int, _ out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var remaining = min(max(value, 0), divisor * 10 - 1)
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(remaining / divisor))
            remaining %= divisor
            divisor /= 10
        }
    }

    /// The decimal number in `bytes[range]`; nil if the range runs past the end or holds a non-digit.
    static func number(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        guard range.upperBound <= bytes.count else { return nil }
        var value = 0
        for i in range {
            guard bytes[i] >= 48, bytes[i] <= 57 else { return nil }
            value = value * 10 + Int(bytes[i] - 48)
        }
        return value
    }
}
