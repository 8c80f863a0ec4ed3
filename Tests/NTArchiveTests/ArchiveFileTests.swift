import Foundation
import NTArchive
import NTChat
import NTStorage
import NTSystem
import PostgresTestSupport
import Testing

/// Month files: idempotent runs, growth without loss, manifests, and readers other than ours.
@Suite("Archive month files")
struct ArchiveFileTests {
    @Test("a second run with nothing new writes nothing and leaves the files byte for byte", arguments: TestDatabase.engines)
    func idempotentRerun(_ engine: DatabaseEngine) async throws {
        let scratch = try ArchiveScratch(engine)
        defer { scratch.remove() }
        try await Fixture.load([1, 2, 3].map { Fixture.line($0, updated: "2026-08-0\($0)T10:00:00.000Z") }, into: scratch.repository)
        let first = await scratch.runner().run()
        #expect(first.ok && first.archivedConversations == 3)
        let before = try scratch.bytes(of: "2026-08.jsonl.zst")

        let second = await scratch.runner().run()
        #expect(second.ok && second.archivedConversations == 0 && second.files.isEmpty)
        #expect(try scratch.bytes(of: "2026-08.jsonl.zst") == before)
        #expect(scratch.files() == ["2026-08.jsonl.zst"])
    }

    @Test("a month file that exists grows by a new frame and keeps every conversation it held", arguments: TestDatabase.engines)
    func monthFileGrows(_ engine: DatabaseEngine) async throws {
        let scratch = try ArchiveScratch(engine)
        defer { scratch.remove() }
        try await Fixture.load([Fixture.line(1, updated: "2026-08-01T10:00:00.000Z", answers: 3)], into: scratch.repository)
        #expect(await scratch.runner(prune: true).run().ok)
        let firstBytes = try scratch.bytes(of: "2026-08.jsonl.zst")

        try await Fixture.load([Fixture.line(2, updated: "2026-08-20T10:00:00.000Z"), Fixture.line(3, updated: "2026-08-21T10:00:00.000Z")],
                               into: scratch.repository)
        let report = await scratch.runner(prune: true).run()
        #expect(report.ok, "\(report.error ?? "")")
        #expect(report.files.map(\.file) == ["2026-08.jsonl.zst"] && report.files.first?.added == 2 && report.files.first?.conversations == 3)

        let grown = try scratch.bytes(of: "2026-08.jsonl.zst")
        #expect(Array(grown.prefix(firstBytes.count)) == firstBytes, "the earlier frame is kept byte for byte")
        #expect(try Fixture.conversationIDs(in: grown) == [1, 2, 3].map { Fixture.id($0) })
        let manifest = try #require(ArchiveManifest.read(of: scratch.archiveDir + "/2026-08.jsonl.zst"))
        #expect(manifest.conversations == 3 && manifest.messages == 10 && manifest.frames == 2 && manifest.bytes == grown.count)
        #expect(manifest.sha256 == SHA256.hex(of: grown))

        // Everything comes back from the one file, including the conversation pruned by the first run.
        let fresh = try ArchiveScratch(engine)
        defer { fresh.remove() }
        let summary = try await Fixture.load(grown, into: fresh.repository)
        #expect(summary.conversationsAdded == 3 && summary.messagesAdded == 10)
    }

    @Test("the stale manifest left by a crash between the renames is recounted from the file", arguments: TestDatabase.engines)
    func staleManifestIsRecounted(_ engine: DatabaseEngine) async throws {
        let scratch = try ArchiveScratch(engine)
        defer { scratch.remove() }
        try await Fixture.load([Fixture.line(1, updated: "2026-08-01T10:00:00.000Z")], into: scratch.repository)
        #expect(await scratch.runner().run().ok)
        try FileManager.default.removeItem(atPath: scratch.archiveDir + "/2026-08.jsonl.zst.json")

        try await Fixture.load([Fixture.line(2, updated: "2026-08-02T10:00:00.000Z")], into: scratch.repository)
        let report = await scratch.runner().run()
        #expect(report.ok, "\(report.error ?? "")")
        let manifest = try #require(ArchiveManifest.read(of: scratch.archiveDir + "/2026-08.jsonl.zst"))
        #expect(manifest.conversations == 2 && manifest.frames == 2)
    }

    @Test("the system zstd reads a grown file as one stream", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/zstd")), arguments: TestDatabase.engines)
    func systemZstdReadsConcatenatedFrames(_ engine: DatabaseEngine) async throws {
        let scratch = try ArchiveScratch(engine)
        defer { scratch.remove() }
        try await Fixture.load([Fixture.line(1, updated: "2026-08-01T10:00:00.000Z")], into: scratch.repository)
        #expect(await scratch.runner().run().ok)
        try await Fixture.load([Fixture.line(2, updated: "2026-08-02T10:00:00.000Z")], into: scratch.repository)
        #expect(await scratch.runner().run().ok)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zstd")
        process.arguments = ["-dc", scratch.archiveDir + "/2026-08.jsonl.zst"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 4, "two headers and two conversations")
        #expect(lines.filter { $0.contains(#""format":"neural-terminal-export""#) }.count == 2)
    }

    @Test("a conversation that changes after it was archived is archived again in its new state", arguments: TestDatabase.engines)
    func changedConversationIsArchivedAgain(_ engine: DatabaseEngine) async throws {
        let scratch = try ArchiveScratch(engine)
        defer { scratch.remove() }
        try await Fixture.load([Fixture.line(1, updated: "2026-05-01T10:00:00.000Z")], into: scratch.repository)
        #expect(await scratch.runner().run().archivedConversations == 1)
        // A newer copy arrives (an import from another machine), itself old enough to archive.
        try await Fixture.load([Fixture.line(1, updated: "2026-06-01T10:00:00.000Z", answers: 2)], into: scratch.repository)
        let report = await scratch.runner().run()
        #expect(report.archivedConversations == 1 && report.files.map(\.file) == ["2026-06.jsonl.zst"])
        #expect(scratch.files() == ["2026-05.jsonl.zst", "2026-06.jsonl.zst"])
    }
}
