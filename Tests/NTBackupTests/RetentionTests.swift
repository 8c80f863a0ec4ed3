import NTBackup
import NTSystem
import Testing

/// Golden tables for the retention rule (restic's): synthetic backup times over months and years, and exactly
/// which ones stay.
@Suite("Retention: keep last / daily / weekly / monthly")
struct RetentionTests {
    /// Backups every `stepHours` from `start` (inclusive) to `end` (inclusive).
    static func series(from start: UTCTime, to end: UTCTime, stepHours: Int) -> [UTCTime] {
        stride(from: start.unix, through: end.unix, by: stepHours * 3600).map { UTCTime(unix: $0) }
    }

    static func kept(_ policy: RetentionPolicy, _ times: [UTCTime]) -> [String] {
        policy.apply(to: times).filter(\.kept).map(\.time.compact)
    }

    @Test("calendar arithmetic: names, ISO 8601, ISO weeks across year ends")
    func calendar() {
        let t = UTCTime(year: 2026, month: 11, day: 30, hour: 5, minute: 15, second: 9)
        #expect(t.compact == "20261130T051509Z")
        #expect(t.iso8601 == "2026-11-30T05:15:09Z")
        #expect(UTCTime(compact: "20261130T051509Z") == t)
        #expect(UTCTime(compact: "20261330T051509Z") == nil)
        #expect(UTCTime(unix: 0).iso8601 == "1970-01-01T00:00:00Z")
        #expect(UTCTime(unix: 951_782_400).iso8601 == "2000-02-29T00:00:00Z")
        func week(_ y: Int, _ m: Int, _ d: Int) -> String {
            let w = UTCTime(year: y, month: m, day: d).isoWeek
            return "\(w.year)-W\(w.week)"
        }
        #expect(week(2026, 1, 1) == "2026-W1")
        #expect(week(2021, 1, 3) == "2020-W53")
        #expect(week(2024, 12, 30) == "2025-W1")
        #expect(week(2025, 12, 28) == "2025-W52")
        #expect(BackupName.file(at: t) == "neural-terminal-20261130T051509Z.db.zst")
        #expect(BackupName.time(of: "neural-terminal-20261130T051509Z.db.zst") == t)
        #expect(BackupName.time(of: ".tmp-neural-terminal-20261130T051509Z.db.zst") == nil)
    }

    @Test("three months of daily backups: last 2, daily 3, weekly 2, monthly 3")
    func threeMonths() {
        let times = Self.series(from: UTCTime(year: 2026, month: 1, day: 1, hour: 3), to: UTCTime(year: 2026, month: 3, day: 31, hour: 3), stepHours: 24)
        let policy = RetentionPolicy(last: 2, daily: 3, weekly: 2, monthly: 3)
        #expect(Self.kept(policy, times) == [
            "20260331T030000Z", "20260330T030000Z", "20260329T030000Z", "20260228T030000Z", "20260131T030000Z",
        ])
        let reasons = policy.apply(to: times).prefix(3).map(\.reasons)
        #expect(reasons == [["last", "daily", "weekly", "monthly"], ["last", "daily"], ["daily", "weekly"]])
    }

    @Test("three years of backups every 6 hours: last 4, daily 7, weekly 4, monthly 24")
    func threeYears() {
        let times = Self.series(from: UTCTime(year: 2023, month: 1, day: 1), to: UTCTime(year: 2025, month: 12, day: 31, hour: 18), stepHours: 6)
        #expect(times.count == 1096 * 4)
        let kept = Self.kept(RetentionPolicy(last: 4, daily: 7, weekly: 4, monthly: 24), times)
        let months2025 = (1...11).reversed().map { month -> String in
            let last = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30][month - 1]
            return "2025\(month < 10 ? "0" : "")\(month)\(last)T180000Z"
        }
        let months2024 = (1...12).reversed().map { month -> String in
            let last = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            return "2024\(month < 10 ? "0" : "")\(month)\(last)T180000Z"
        }
        #expect(kept == [
            "20251231T180000Z", "20251231T120000Z", "20251231T060000Z", "20251231T000000Z",
            "20251230T180000Z", "20251229T180000Z", "20251228T180000Z", "20251227T180000Z", "20251226T180000Z",
            "20251225T180000Z",
            "20251221T180000Z", "20251214T180000Z",
        ] + months2025 + months2024)
        #expect(kept.count == 35)
    }

    @Test("weekly buckets are ISO weeks, across a 53-week year")
    func isoWeeksAcrossNewYear() {
        let times = Self.series(from: UTCTime(year: 2020, month: 12, day: 14, hour: 12), to: UTCTime(year: 2021, month: 1, day: 10, hour: 12), stepHours: 24)
        #expect(Self.kept(RetentionPolicy(last: 0, daily: 0, weekly: 4, monthly: 0), times) == [
            "20210110T120000Z", "20210103T120000Z", "20201227T120000Z", "20201220T120000Z",
        ])
    }

    @Test("gaps do not use up a count; irregular times keep the newest of each period")
    func gapsAndIrregularTimes() {
        let times = [
            UTCTime(year: 2026, month: 5, day: 10, hour: 23, minute: 59, second: 59),
            UTCTime(year: 2026, month: 5, day: 10, hour: 0, minute: 0, second: 1),
            UTCTime(year: 2026, month: 5, day: 3, hour: 12),
            UTCTime(year: 2026, month: 1, day: 2),
            UTCTime(year: 2025, month: 7, day: 1),
        ]
        #expect(Self.kept(RetentionPolicy(last: 0, daily: 3, weekly: 0, monthly: 0), times) == [
            "20260510T235959Z", "20260503T120000Z", "20260102T000000Z",
        ])
        #expect(Self.kept(RetentionPolicy(last: 0, daily: 0, weekly: 0, monthly: 2), times) == [
            "20260510T235959Z", "20260102T000000Z",
        ])
    }

    @Test("a policy of all zeros keeps everything; fewer backups than counts keeps them all")
    func degenerate() {
        let times = Self.series(from: UTCTime(year: 2026, month: 1, day: 1), to: UTCTime(year: 2026, month: 1, day: 5), stepHours: 24)
        #expect(Self.kept(RetentionPolicy(last: 0, daily: 0, weekly: 0, monthly: 0), times).count == 5)
        #expect(Self.kept(RetentionPolicy(last: 10, daily: 0, weekly: 0, monthly: 0), times).count == 5)
        #expect(RetentionPolicy(last: 1, daily: 0, weekly: 0, monthly: 0).apply(to: []).isEmpty)
    }
}
