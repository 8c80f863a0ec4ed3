import NTArchive
import NTChat
import NTStorage
import NTSystem
import PostgresTestSupport
import Testing

/// Which conversations are old enough, and which UTC month each belongs to.
@Suite("Archive selection: age and UTC month")
struct ArchiveSelectionTests {
    /// Timestamp → the UTC month of that instant (nil: not a timestamp).
    static let months: [(String, String?)] = [
        ("2026-08-31T23:59:59.999Z", "2026-08"),
        ("2026-09-01T00:00:00.000Z", "2026-09"),
        ("2026-09-01T01:30:00+02:00", "2026-08"),   // 2026-08-31T23:30Z
        ("2026-08-31T22:00:00-03:00", "2026-09"),   // 2026-09-01T01:00Z
        ("2026-12-31T23:59:59Z", "2026-12"),
        ("2027-01-01T00:00:00.5Z", "2027-01"),
        ("2026-12-31T23:30:00-01:00", "2027-01"),   // across a year end
        ("2028-02-29T12:00:00Z", "2028-02"),        // leap day
        ("2026-03-01t00:00:00z", "2026-03"),        // lower-case T and Z are RFC 3339 too
        ("1969-12-31T23:59:59.999Z", "1969-12"),
        ("2026-09-01 00:00:00Z", nil),
        ("2026-13-01T00:00:00Z", nil),
        ("2026-09-01T00:00:00", nil),
        ("", nil),
    ]

    @Test("each timestamp falls in the UTC month of its instant", arguments: months)
    func monthOfTimestamp(_ timestamp: String, _ month: String?) {
        #expect(RFC3339.unixMilliseconds(timestamp).map { ArchiveMonth(unixMilliseconds: $0).description } == month)
    }

    @Test("month file names and the end of a month")
    func monthFiles() {
        #expect(ArchiveMonth(fileName: "2026-08.jsonl.zst")?.description == "2026-08")
        #expect(ArchiveMonth(fileName: "2026-13.jsonl.zst") == nil)
        #expect(ArchiveMonth(fileName: ".tmp-2026-08.jsonl.zst") == nil)
        #expect(ArchiveMonth(year: 2026, month: 12).endUnixMilliseconds == UTCTime(year: 2027, month: 1, day: 1).unix * 1000)
    }

    /// Conversation → (its timestamps, the file it must be archived to; nil: not archived). Now is
    /// 2026-11-30T12:00Z and after_days 90, so the cutoff is 2026-09-01T12:00:00Z.
    static let conversations: [(n: Int, updated: String, messages: String?, file: String?)] = [
        (1, "2026-09-01T11:59:59.999Z", nil, "2026-09.jsonl.zst"),     // a millisecond before the cutoff
        (2, "2026-09-01T12:00:00.000Z", nil, nil),                     // exactly at the cutoff: not older
        (3, "2026-10-15T08:00:00.000Z", nil, nil),                     // recent
        (4, "2026-06-10T08:00:00.000Z", "2026-09-20T08:00:00.000Z", nil), // an old row with a recent message
        (5, "2026-06-10T08:00:00.000Z", "2026-07-31T23:59:59.999Z", "2026-07.jsonl.zst"), // month of the newest message
        // Offsets, as a database may hold them from imports before imports were strict (set with SQL): selected by
        // their instant, but not archived, since an import would refuse them (counted as oversized).
        (6, "2026-09-01T11:00:00-02:00", nil, nil),                    // text before the cutoff, instant 13:00Z after it
        (7, "2026-09-01T13:00:00+02:00", nil, nil),                    // text after the cutoff, instant 11:00Z before it
        (8, "2026-08-01T01:00:00+03:00", nil, nil),                    // 2026-07-31T22:00Z
        (9, "2025-12-31T23:59:59.999Z", nil, "2025-12.jsonl.zst"),
        (10, "2026-01-01T00:00:00.000Z", nil, "2026-01.jsonl.zst"),
    ]

    @Test("a run archives exactly the conversations older than after_days, each into its UTC month's file", arguments: TestDatabase.engines)
    func selectionByAge(_ engine: DatabaseEngine) async throws {
        let scratch = try ArchiveScratch(engine)
        defer { scratch.remove() }
        let legacy = Self.conversations.filter { !$0.updated.hasSuffix("Z") }
        try await Fixture.load(Self.conversations.map {
            Fixture.line($0.n, updated: $0.updated.hasSuffix("Z") ? $0.updated : "2026-01-01T00:00:00.000Z", messageTime: $0.messages)
        }, into: scratch.repository)
        for c in legacy { try Fixture.backdate(c.n, to: c.updated, in: scratch) }

        let report = await scratch.runner(afterDays: 90).run()
        #expect(report.ok, "\(report.error ?? "")")
        #expect(report.oversized == 2, "7 and 8 are due, and left in the database")

        var expected: [String: [String]] = [:]
        for c in Self.conversations { if let file = c.file { expected[file, default: []].append(Fixture.id(c.n)) } }
        #expect(scratch.files() == expected.keys.sorted())
        for (file, ids) in expected {
            #expect(try Fixture.conversationIDs(in: scratch.bytes(of: file)).sorted() == ids.sorted(), "\(file)")
        }
        #expect(report.archivedConversations == expected.values.reduce(0) { $0 + $1.count })
        #expect(report.prunedConversations == 0)
        #expect(try await scratch.ids().count == Self.conversations.count, "prune is off: everything stays")
    }

    @Test("after_days = 0 archives nothing", arguments: TestDatabase.engines)
    func disabled(_ engine: DatabaseEngine) async throws {
        let scratch = try ArchiveScratch(engine)
        defer { scratch.remove() }
        try await Fixture.load([Fixture.line(1, updated: "2020-01-01T00:00:00.000Z")], into: scratch.repository)
        let report = await scratch.runner(afterDays: 0).run()
        #expect(!report.ok && report.reason == "disabled")
        #expect(scratch.files().isEmpty)
    }

    @Test("batches smaller than the backlog still archive everything, oldest first", arguments: TestDatabase.engines)
    func smallBatches(_ engine: DatabaseEngine) async throws {
        let scratch = try ArchiveScratch(engine)
        defer { scratch.remove() }
        let lines = (1...25).map { Fixture.line($0, updated: "2026-0\(1 + $0 % 5)-1\($0 % 10)T10:00:00.000Z") }
        try await Fixture.load(lines, into: scratch.repository)
        let report = await scratch.runner(prune: true, batchSize: 4).run()
        #expect(report.ok, "\(report.error ?? "")")
        #expect(report.archivedConversations == 25 && report.prunedConversations == 25)
        var archived: [String] = []
        for file in scratch.files() { archived += try Fixture.conversationIDs(in: scratch.bytes(of: file)) }
        #expect(archived.sorted() == (1...25).map { Fixture.id($0) }.sorted())
        #expect(try await scratch.ids().isEmpty)
        #expect(report.files.map(\.file) == scratch.files(), "one entry per month file")
        #expect(report.files.reduce(0) { $0 + $1.added } == 25, "additions of several batches to one month are summed")
    }
}
