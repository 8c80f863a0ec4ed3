import Foundation
import NTArchive
import Testing

extension ArchiveCommandTests {
    static let old2020 = #"{"conversation":{"id":"22222222-2222-4333-8444-555555555555","title":"old","model":"m","created_at":"2020-03-01T00:00:00.000Z","updated_at":"2020-03-01T00:00:00.000Z"},"messages":[{"id":"22222222-2222-4333-8444-666666666666","role":"user","content":"hello","status":"complete","created_at":"2020-03-01T00:00:00.000Z","updated_at":"2020-03-01T00:00:00.000Z"},{"id":"22222222-2222-4333-8444-777777777777","role":"assistant","content":"hi","model":"m","status":"complete","cost_usd":0.25,"created_at":"2020-03-01T00:00:01.000Z","updated_at":"2020-03-01T00:00:02.000Z"}]}"#

    @Test func theArchiveCommandRunsItselfWhenTheApplianceIsStoppedAndImportTakesTheFileBack() throws {
        let (dir, config) = try Self.workspace("archive.after_days = 30\narchive.prune = true\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try Self.run(["import", "--config", config, "-"], input: Self.old2020 + "\n").status == 0)

        let archived = try Self.run(["archive", "--json", "--config", config])
        #expect(archived.status == 0, "\(archived.stderr)")
        #expect(!archived.stderr.contains("appliance is running"))
        let report = try ArchiveReport.decode(archived.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(report.archivedConversations == 1 && report.prunedConversations == 1 && report.files.map(\.file) == ["2020-03.jsonl.zst"])
        #expect(try Self.run(["export", "--config", config]).stdout.split(separator: "\n").count == 1, "only the header is left")
        let list = try Self.run(["archive", "--list", "--config", config])
        #expect(list.status == 0 && list.stdout.contains("2020-03.jsonl.zst  1 conversations, 2 messages") && list.stdout.hasSuffix("ok\n"), "\(list.stdout)")

        let file = dir.path + "/data/archives/2020-03.jsonl.zst"
        let back = try Self.run(["import", "--config", config, file])
        #expect(back.status == 0 && back.stderr.contains("imported: 1 conversations added, 0 updated, 0 unchanged; messages: 2 added"), "\(back.stderr)")
        let exported = try Self.run(["export", "--config", config]).stdout.split(separator: "\n")
        #expect(exported.count == 2 && exported.last?.contains(#""cost_usd":0.25"#) == true)
        let rerun = try ArchiveReport.decode(try Self.run(["archive", "--json", "--config", config]).stdout)
        #expect(rerun.ok && rerun.archivedConversations == 0 && rerun.prunedConversations == 0, "an imported archive stays imported")

        // A damaged archive is refused with the reason, as invalid input.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        let truncated = dir.path + "/truncated.jsonl.zst"
        try bytes.prefix(bytes.count - 6).write(to: URL(fileURLWithPath: truncated))
        let refused = try Self.run(["import", "--config", config, truncated])
        #expect(refused.status == 65 && refused.stderr.contains("truncated"), "\(refused.stderr)")
        let listed = try Self.run(["archive", "--list", "--config", config])
        #expect(listed.status == 0)
    }
}
