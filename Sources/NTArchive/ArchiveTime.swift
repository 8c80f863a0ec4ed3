import NTBackup
import NTChat

/// Time arithmetic of the archives, in UTC and without Foundation's calendars: timestamps as milliseconds since
/// 1970, and the UTC month a conversation belongs to.
///
/// The appliance writes every timestamp as `YYYY-MM-DDTHH:MM:SS.mmmZ`, but an import accepts any RFC 3339 offset
/// (`+02:00`), so a conversation's last activity is the latest *instant* among its timestamps, not the latest text.
public enum ArchiveTime {
    public static let dayMilliseconds: Int64 = 86_400_000

    /// Milliseconds since 1970-01-01 UTC of an RFC 3339 timestamp; nil if it is not one.
    public static func unixMilliseconds(_ text: String) -> Int64? {
        guard let (wall, offsetMinutes) = parse(text) else { return nil }
        return wall - Int64(offsetMinutes) * 60_000
    }

    /// The timestamp's own date and time read as if it were UTC (its offset ignored): within a day of the instant.
    public static func wallClockMilliseconds(_ text: String) -> Int64? {
        parse(text)?.wall
    }

    /// The latest instant among a conversation's timestamps (its `updated_at` and every message's `updated_at`
    /// and `created_at`); nil if one of them is not a timestamp.
    public static func lastActivity(_ archived: ArchivedConversation) -> Int64? {
        var latest = unixMilliseconds(archived.conversation.updatedAt)
        for message in archived.messages {
            guard let updated = unixMilliseconds(message.updatedAt), let created = unixMilliseconds(message.createdAt),
                  let current = latest else { return nil }
            latest = max(current, updated, created)
        }
        return latest
    }

    /// `YYYY-MM-DDTHH:MM:SS`, an optional fraction (milliseconds kept), then `Z` or `±HH:MM`.
    static func parse(_ text: String) -> (wall: Int64, offsetMinutes: Int)? {
        let b = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= b.count else { return nil }
            var value = 0
            for i in range {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        guard b.count >= 20, b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 116, b[13] == 58, b[16] == 58,
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
              let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var millis = 0
        if b[i] == 46 {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 3 { millis = millis * 10 + Int(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        let offset: Int
        if i == b.count - 1, b[i] == 90 || b[i] == 122 {
            offset = 0
        } else if i == b.count - 6, b[i] == 43 || b[i] == 45, b[i + 3] == 58, let h = number(i + 1..<i + 3),
                  let m = number(i + 4..<i + 6), h < 24, m < 60 {
            offset = (b[i] == 45 ? -1 : 1) * (h * 60 + m)
        } else {
            return nil
        }
        let seconds = UTCTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second).unix
        return (seconds * 1000 + Int64(millis), offset)
    }
}

/// A UTC calendar month: the unit of an archive file.
public struct ArchiveMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// The month holding an instant.
    public init(unixMilliseconds: Int64) {
        let seconds = unixMilliseconds >= 0 ? unixMilliseconds / 1000 : (unixMilliseconds - 999) / 1000
        let time = UTCTime(unix: seconds)
        self.init(year: time.year, month: time.month)
    }

    /// Parses a file name `YYYY-MM.jsonl.zst`; nil for anything else.
    public init?(fileName: String) {
        let b = Array(fileName.utf8)
        guard fileName.hasSuffix(Self.suffix), b.count == 7 + Self.suffix.utf8.count, b[4] == 45,
              b[0..<4].allSatisfy({ $0 >= 48 && $0 <= 57 }), b[5..<7].allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let year = Int(String(decoding: b[0..<4], as: UTF8.self)), let month = Int(String(decoding: b[5..<7], as: UTF8.self)),
              (1...12).contains(month) else { return nil }
        self.init(year: year, month: month)
    }

    public static let suffix = ".jsonl.zst"

    /// `2026-08`.
    public var description: String {
        String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year) + "-" + (month < 10 ? "0" : "") + String(month)
    }

    /// `2026-08.jsonl.zst`.
    public var fileName: String { description + Self.suffix }

    /// The first instant after the month.
    public var endUnixMilliseconds: Int64 {
        let next = month == 12 ? UTCTime(year: year + 1, month: 1, day: 1) : UTCTime(year: year, month: month + 1, day: 1)
        return next.unix * 1000
    }

    public static func < (lhs: ArchiveMonth, rhs: ArchiveMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }
}
