import Foundation
import NTArchive
import Testing

/// Monthly archives against the real binary: the maintenance worker's schedule, the control socket, and both
/// imports of a `.jsonl.zst` file.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct MonthlyArchiveTests {
    /// RFC 3339 UTC with milliseconds, as the appliance writes timestamps.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// An export of `count` conversations last active at `date` (one priced answer each).
    static func export(count: Int, at date: Date) -> String {
        (1...count).map { n in
            let at = timestamp(date.addingTimeInterval(Double(n) * 60))
            let id = "00000000-0000-4000-8000-00000000000\(n)"
            return """
                {"conversation":{"id":"\(id)","title":"old \(n)","model":"m/old","system_prompt":null,"created_at":"\(at)","updated_at":"\(at)"},\
                "messages":[{"id":"00000000-1111-4000-8000-00000000000\(n)","conversation_id":"\(id)","role":"user","content":"q\(n)",\
                "status":"complete","created_at":"\(at)","updated_at":"\(at)"},{"id":"00000000-2222-4000-8000-00000000000\(n)",\
                "conversation_id":"\(id)","role":"assistant","content":"a\(n)","model":"m/old","status":"complete","cost_usd":0.5,\
                "created_at":"\(at)","updated_at":"\(at)"}]}
                """
        }.joined(separator: "\n") + "\n"
    }

    @Test func theMaintenanceWorkerArchivesAndPrunesBackdatedConversationsAndBothImportsBringThemBack() async throws {
        let old = Date().addingTimeInterval(-100 * 86_400)
        let month = String(Self.timestamp(old.addingTimeInterval(60)).prefix(7))
        let config = "archive.after_days = 30\narchive.prune = true\nbackup.interval_minutes = 0\nmaintenance.tick_seconds = 1\n"
        let app = try Appliance(extraConfig: config) { app in
            // Seed the database before the first start, as an operator's import would.
            let file = app.directory.appendingPathComponent("old.jsonl").path
            try Self.export(count: 3, at: old).write(toFile: file, atomically: true, encoding: .utf8)
            let seed = Process()
            seed.executableURL = URL(fileURLWithPath: Appliance.binary)
            seed.arguments = ["import", file, "--config", app.configPath]
            seed.standardError = FileHandle.nullDevice
            try seed.run()
            seed.waitUntilExit()
            guard seed.terminationStatus == 0 else { throw Timeout(description: "seeding the database failed") }
        }
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        try await app.createConversation("recent")

        let archive = app.dataDirectory + "/archives/\(month).jsonl.zst"
        try await eventually(timeout: 30, "the scheduled archive run") {
            FileManager.default.fileExists(atPath: archive)
                && (try? app.metricValue(#"neural_terminal_archive_pruned_conversations_total{worker="maintenance"}"#)) == 3
        }
        #expect(FileManager.default.fileExists(atPath: archive + ".json"))
        #expect(try await app.conversationCount() == 1, "only the recent conversation stays")
        #expect(try app.metricValue(#"neural_terminal_archive_conversations_total{worker="maintenance"}"#) == 3)
        #expect((try app.metricValue(#"neural_terminal_archive_last_success_timestamp_seconds{worker="maintenance"}"#) ?? 0) > 1_700_000_000)
        #expect(app.logLines().contains { $0.contains(#""msg":"archive finished""#) && $0.contains(#""archived_conversations":"3""#) })

        // On demand, through the control socket: nothing is new.
        let rerun = try await app.cli(["archive", "--json"])
        #expect(rerun.code == 0, "\(rerun.stderr)")
        let report = try ArchiveReport.decode(rerun.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(report.ok && report.archivedConversations == 0 && report.prunedConversations == 0)
        #expect(rerun.stderr.contains("its maintenance worker archives"))
        let list = try await app.cli(["archive", "--list"])
        #expect(list.code == 0 && list.stdout.contains("\(month).jsonl.zst  3 conversations, 6 messages") && list.stdout.contains(" ok"), "\(list.stdout)")

        // The API takes the archive as it is (zstd), the CLI too; the conversations come back once.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: archive)))
        let imported = try await RawHTTP.send("POST", port: app.webPort, path: "/api/import", body: bytes, contentType: "application/zstd")
        #expect(imported.status == 200, "\(imported.body)")
        #expect(imported.object?["conversations_added"] as? Int == 3)
        #expect(try await app.conversationCount() == 4)
        let cli = try await app.cli(["import", archive])
        #expect(cli.code == 0 && (cli.stdout + cli.stderr).contains("3 unchanged"), "\(cli.stdout) \(cli.stderr)")
        let usage = try await RawHTTP.send("GET", port: app.webPort, path: "/api/usage")
        #expect(usage.status == 200)
        #expect(app.logLines().filter { $0.contains(#""level":"error""#) }.isEmpty)
    }
}
