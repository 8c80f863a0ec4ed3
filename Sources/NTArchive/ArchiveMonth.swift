import NTSystem

/// A UTC calendar month (built on ``UTCDay``): the unit of an archive file.
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
        let date = UTCDay(epochSeconds: Int(seconds)).civil
        self.init(year: date.year, month: date.month)
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
    public var description: String { firstDay.monthString }

    /// `2026-08.jsonl.zst`.
    public var fileName: String { description + Self.suffix }

    /// The first instant after the month.
    public var endUnixMilliseconds: Int64 {
        Int64(firstDay.firstOfNextMonth.daysSinceEpoch) * ArchiveTime.dayMilliseconds
    }

    private var firstDay: UTCDay { UTCDay(year: year, month: month, day: 1) }

    public static func < (lhs: ArchiveMonth, rhs: ArchiveMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }
}
