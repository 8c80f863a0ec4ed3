import NTSystem

/// Which backups to keep: the last N, one a day for D days, one a week for W weeks, one a month for M months.
///
/// restic's rule (`restic forget --keep-last/--keep-daily/--keep-weekly/--keep-monthly`): walking from the newest
/// backup to the oldest, each rule keeps the newest backup of each period (day, ISO week, month, all in UTC)
/// until it has kept its count of periods that hold a backup; a backup kept by any rule stays. Periods without a
/// backup do not use up a count. A policy whose counts are all 0 keeps everything (deleting every backup is never
/// what an operator meant).
public struct RetentionPolicy: Sendable, Equatable {
    public var last: Int
    public var daily: Int
    public var weekly: Int
    public var monthly: Int

    public init(last: Int, daily: Int, weekly: Int, monthly: Int) {
        self.last = last
        self.daily = daily
        self.weekly = weekly
        self.monthly = monthly
    }

    /// A kept backup and the rules that keep it (`last`, `daily`, `weekly`, `monthly`).
    public struct Decision: Sendable, Equatable {
        public let time: UTCTime
        public let reasons: [String]
        public var kept: Bool { !reasons.isEmpty }
    }

    /// Decides for each of `times` (in any order); returns the decisions newest first.
    public func apply(to times: [UTCTime]) -> [Decision] {
        let sorted = times.sorted(by: >)
        guard last > 0 || daily > 0 || weekly > 0 || monthly > 0 else {
            return sorted.map { Decision(time: $0, reasons: ["all"]) }
        }
        struct Rule {
            let name: String
            var remaining: Int
            let bucket: (UTCTime, Int) -> Int
            var previous: Int?
        }
        var rules = [
            Rule(name: "last", remaining: last, bucket: { _, index in index }),
            Rule(name: "daily", remaining: daily, bucket: { t, _ in t.year * 10_000 + t.month * 100 + t.day }),
            Rule(name: "weekly", remaining: weekly, bucket: { t, _ in let w = t.isoWeek; return w.year * 100 + w.week }),
            Rule(name: "monthly", remaining: monthly, bucket: { t, _ in t.year * 100 + t.month }),
        ]
        var decisions: [Decision] = []
        for (index, time) in sorted.enumerated() {
            var reasons: [String] = []
            for r in rules.indices where rules[r].remaining > 0 {
                let bucket = rules[r].bucket(time, index)
                if bucket != rules[r].previous {
                    rules[r].previous = bucket
                    rules[r].remaining -= 1
                    reasons.append(rules[r].name)
                }
            }
            decisions.append(Decision(time: time, reasons: reasons))
        }
        return decisions
    }
}
