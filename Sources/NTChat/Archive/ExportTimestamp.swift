import NTSystem

/// The one timestamp form an import accepts: the one the appliance writes (``Identifiers/now()``), RFC 3339 in
/// UTC to the millisecond, `2026-11-30T05:00:00.000Z`, naming a real date and time.
///
/// One fixed form means timestamps compare correctly as text, which is how the database orders them and how an
/// import decides which copy of a message is newer; an offset (`+05:00`) or a missing fraction would sort wrong.
enum ExportTimestamp {
    static let example = "2026-11-30T05:00:00.000Z"

    /// What is wrong with `value`, as the end of a sentence, or nil if it is a valid timestamp.
    static func problem(_ value: String) -> String? {
        let b = Array(value.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= b.count else { return nil }
            var n = 0
            for i in range {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                n = n * 10 + Int(b[i] - 48)
            }
            return n
        }
        let layout: [(Int, UInt8)] = [(4, 45), (7, 45), (10, 84), (13, 58), (16, 58), (19, 46), (23, 90)]
        guard b.count == 24, layout.allSatisfy({ b[$0.0] == $0.1 }), let year = number(0..<4), let month = number(5..<7),
              let day = number(8..<10), let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              number(20..<23) != nil
        else {
            let offset = b.count >= 6 && (b[b.count - 6] == 43 || b[b.count - 6] == 45) && b[b.count - 3] == 58
            if offset { return "has a UTC offset: only UTC times ending in Z are accepted, as the export writes them (such as \(example))" }
            return "is not a timestamp as the export writes it (RFC 3339 in UTC to the millisecond, such as \(example))"
        }
        let date = (1...12).contains(month) && day >= 1 ? CivilDate.fromDays(CivilDate.days(year: year, month: month, day: day)) : nil
        guard let date, date == (year, month, day), hour < 24, minute < 60, second < 60 else {
            return "is not a real date and time"
        }
        return nil
    }
}
