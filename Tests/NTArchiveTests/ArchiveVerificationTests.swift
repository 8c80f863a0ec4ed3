import Foundation
import NTArchive
import NTChat
import NTStorage
import PostgresTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Nothing is pruned, and no month file replaced, unless the file reads back exactly as written.
@Suite("Archive verification")
struct ArchiveVerificationTests {
    static func truncate(_ path: String, by bytes: Int) {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        _ = Glibc.truncate(path, off_t(max(0, size - bytes)))
    }

    static func flipByte(_ path: String, at offset: Int) {
        guard let handle = FileHandle(forUpdatingAtPath: path) else { return }
        defer { try? handle.close() }
        try? handle.seek(toOffset: UInt64(offset))
        let byte = handle.readData(ofLength: 1).first ?? 0
        try? handle.seek(toOffset: UInt64(offset))
        handle.write(Data([byte ^ 0xFF]))
    }

    static let damages: [(String, @Sendable (String) -> Void)] = [
        ("truncated", { truncate($0, by: 7) }),
        ("corrupt", { path in flipByte(path, at: max(0, ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 2)) }),
        ("emptied", { truncate($0, by: 1 << 30) }),
    ]

    @Test("a written file that does not read back fails the run: nothing is published or pruned", arguments: TestDatabase.engines, [0, 1, 2])
    func badWriteIsNotPublished(_ engine: DatabaseEngine, _ which: Int) async throws {
        let (label, damage) = Self.damages[which]
        let scratch = try ArchiveScratch(engine)
        defer { scratch.remove() }
        try await Fixture.load([1, 2].map { Fixture.line($0, updated: "2026-08-0\($0)T10:00:00.000Z", answers: 20) }, into: scratch.repository)
        let before = try await scratch.snapshot()

        var runner = scratch.runner(prune: true)
        runner.hooks.afterWrite = damage
        let report = await runner.run()
        #expect(!report.ok, "\(label)")
        #expect(report.reason == "verify", "\(label): \(report.error ?? "")")
        #expect(report.prunedConversations == 0)
        #expect(try await scratch.snapshot() == before, "\(label): the database is untouched")
        #expect(scratch.files().isEmpty, "\(label): no month file under its name")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.archiveDir).filter { $0.hasPrefix(".tmp-") }.isEmpty)

        // The next, undisturbed run archives and prunes them.
        let retry = await scratch.runner(prune: true).run()
        #expect(retry.ok && retry.prunedConversations == 2, "\(retry.error ?? "")")
    }

    @Test("a damaged month file is left as it is, nothing for that month is pruned, and other months go on", arguments: TestDatabase.engines, [0, 1])
    func damagedExistingFileIsLeftAlone(_ engine: DatabaseEngine, _ which: Int) async throws {
        let (label, damage) = Self.damages[which]
        let scratch = try ArchiveScratch(engine)
        defer { scratch.remove() }
        try await Fixture.load([Fixture.line(1, updated: "2026-08-01T10:00:00.000Z", answers: 20)], into: scratch.repository)
        #expect(await scratch.runner().run().ok)
        let path = scratch.archiveDir + "/2026-08.jsonl.zst"
        damage(path)
        let damaged = try scratch.bytes(of: "2026-08.jsonl.zst")

        try await Fixture.load([Fixture.line(2, updated: "2026-08-02T10:00:00.000Z"), Fixture.line(3, updated: "2026-07-02T10:00:00.000Z")],
                               into: scratch.repository)
        let report = await scratch.runner(prune: true).run()
        #expect(!report.ok && report.reason == "damaged", "\(label): \(report.error ?? "")")
        #expect(report.damagedFiles == ["2026-08.jsonl.zst"])
        #expect(try await scratch.ids() == [Fixture.id(1), Fixture.id(2)], "\(label): August's conversations stay in the database")
        #expect(try scratch.bytes(of: "2026-08.jsonl.zst") == damaged, "\(label): the damaged file is not touched")
        #expect(report.files.map(\.file) == ["2026-07.jsonl.zst"] && report.prunedConversations == 1, "\(label): other months go on")
    }

    @Test("conversations archived without prune are pruned later only if their file still verifies", arguments: TestDatabase.engines)
    func laterPruneVerifiesTheFile(_ engine: DatabaseEngine) async throws {
        let scratch = try ArchiveScratch(engine)
        defer { scratch.remove() }
        try await Fixture.load([1, 2].map { Fixture.line($0, updated: "2026-08-0\($0)T10:00:00.000Z") }, into: scratch.repository)
        #expect(await scratch.runner(prune: false).run().archivedConversations == 2)
        let path = scratch.archiveDir + "/2026-08.jsonl.zst"
        let good = try scratch.bytes(of: "2026-08.jsonl.zst")
        Self.truncate(path, by: 5)

        let refused = await scratch.runner(prune: true).run()
        #expect(!refused.ok && refused.reason == "damaged" && refused.damagedFiles == ["2026-08.jsonl.zst"], "\(refused.error ?? "")")
        #expect(try await scratch.ids().count == 2)

        try Data(good).write(to: URL(fileURLWithPath: path))
        let pruned = await scratch.runner(prune: true).run()
        #expect(pruned.ok && pruned.prunedConversations == 2 && pruned.archivedConversations == 0, "\(pruned.error ?? "")")
        #expect(try await scratch.ids().isEmpty)
    }

    @Test("a manifest left behind by a crash after the file grew is counted again, not taken for damage", arguments: TestDatabase.engines)
    func staleManifestIsRecounted(_ engine: DatabaseEngine) async throws {
        let scratch = try ArchiveScratch(engine)
        defer { scratch.remove() }
        try await Fixture.load([Fixture.line(1, updated: "2026-08-01T10:00:00.000Z")], into: scratch.repository)
        #expect(await scratch.runner(prune: false).run().archivedConversations == 1)
        let manifestPath = scratch.archiveDir + "/2026-08.jsonl.zst.json"
        let oldManifest = try Data(contentsOf: URL(fileURLWithPath: manifestPath))
        try await Fixture.load([Fixture.line(2, updated: "2026-08-02T10:00:00.000Z")], into: scratch.repository)
        #expect(await scratch.runner(prune: false).run().archivedConversations == 1)
        // The crash window of MonthFileWriter.publish: the grown file is in place, its manifest is the old one.
        try oldManifest.write(to: URL(fileURLWithPath: manifestPath))

        let pruned = await scratch.runner(prune: true).run()
        #expect(pruned.ok && pruned.prunedConversations == 2, "\(pruned.error ?? "")")
        let manifest = try #require(ArchiveManifest.read(of: scratch.archiveDir + "/2026-08.jsonl.zst"))
        #expect(manifest.conversations == 2 && manifest.frames == 2)

        // A file shorter than its manifest has lost a frame: that stays damage.
        try await Fixture.load([Fixture.line(3, updated: "2026-08-03T10:00:00.000Z")], into: scratch.repository)
        #expect(await scratch.runner(prune: false).run().archivedConversations == 1)
        let whole = try scratch.bytes(of: "2026-08.jsonl.zst")
        Self.truncate(scratch.archiveDir + "/2026-08.jsonl.zst", by: whole.count / 3)
        let refused = await scratch.runner(prune: true).run()
        #expect(!refused.ok && refused.damagedFiles == ["2026-08.jsonl.zst"], "\(refused.error ?? "")")
    }

    @Test("a month file that disappeared is written again from the database", arguments: TestDatabase.engines)
    func missingFileIsRewritten(_ engine: DatabaseEngine) async throws {
        let scratch = try ArchiveScratch(engine)
        defer { scratch.remove() }
        try await Fixture.load([Fixture.line(1, updated: "2026-08-01T10:00:00.000Z")], into: scratch.repository)
        #expect(await scratch.runner().run().archivedConversations == 1)
        try FileManager.default.removeItem(atPath: scratch.archiveDir + "/2026-08.jsonl.zst")
        let again = await scratch.runner().run()
        #expect(again.forgotten == 1 && again.archivedConversations == 1)
        #expect(scratch.files() == ["2026-08.jsonl.zst"])
    }
}
