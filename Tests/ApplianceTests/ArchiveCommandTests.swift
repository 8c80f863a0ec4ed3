import Foundation
import Testing

/// `neural-terminal export` and `import` on a database file, as an operator runs them.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ArchiveCommandTests {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs the binary with `arguments`, feeding `input` on stdin.
    static func run(_ arguments: [String], input: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Appliance.binary)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        let stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A temporary folder with a config whose data directory is inside it, plus `extra` TOML; remove the folder.
    static func workspace(_ extra: String = "") throws -> (dir: URL, config: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nt-cli-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let config = dir.appendingPathComponent("c.toml").path
        try "storage.data_dir = \"\(dir.path)/data\"\n\(extra)".write(toFile: config, atomically: true, encoding: .utf8)
        return (dir, config)
    }

    static let conversation = #"{"conversation":{"id":"11111111-2222-4333-8444-555555555555","title":"CLI zebra","model":"m","created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z"},"messages":[{"id":"11111111-2222-4333-8444-666666666666","role":"user","content":"hello zebra","status":"complete","created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z"},{"id":"11111111-2222-4333-8444-777777777777","role":"assistant","content":"half","model":"m","status":"streaming","cost_usd":0.0012,"completion_tokens":7,"created_at":"2026-01-01T00:00:01.000Z","updated_at":"2026-01-01T00:00:02.000Z"}]}"#

    @Test func importExportRoundTripAndOutputFilesAreHandledSafely() throws {
        let (dir, config) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }

        let imported = try Self.run(["import", "--config", config, "-"], input: Self.conversation + "\n")
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains("imported: 1 conversations added, 0 updated, 0 unchanged; messages: 2 added"), "\(imported.stderr)")
        let again = try Self.run(["import", "--config", config, "-"], input: Self.conversation)
        #expect(again.stderr.contains("1 unchanged"), "\(again.stderr)")

        let exported = try Self.run(["export", "--config", config])
        #expect(exported.status == 0, "\(exported.stderr)")
        let lines = exported.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.last?.contains(#""status":"interrupted""#) == true, "a streaming answer is imported as interrupted")
        #expect(lines.last?.contains(#""cost_usd":0.0012"#) == true)

        // A regular file is written whole or not at all; a symbolic link stays a link.
        let file = dir.appendingPathComponent("out.jsonl").path
        #expect(try Self.run(["export", "--config", config, "--output", file]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: file + ".partial"))
        #expect(try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").count == 2)
        let link = dir.appendingPathComponent("link.jsonl").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file)
        try "old".write(toFile: file, atomically: false, encoding: .utf8)
        #expect(try Self.run(["export", "--config", config, "--output", link]).status == 0)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == file)
        #expect(try String(contentsOfFile: file, encoding: .utf8).hasPrefix("{\"exported_at\""))

        let markdown = try Self.run(["export", "--config", config, "--format", "markdown",
                                     "--conversation", "11111111-2222-4333-8444-555555555555"])
        #expect(markdown.stdout.hasPrefix("# CLI zebra\n"))
        #expect(markdown.stdout.contains("### ASSISTANT · m · 7 tokens · $0.0012 · interrupted · 2026-01-01 00:00 UTC"))
        #expect(try Self.run(["export", "--config", config, "--format", "markdown"]).status == 64, "markdown needs --conversation")

        let bad = try Self.run(["import", "--config", config, "-"], input: "{\"format\":\"neural-terminal-export\",\"version\":1}\n{\"conversation\":{}}\n")
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("-: line 2: conversation.id: is missing"), "\(bad.stderr)")
        #expect(try Self.run(["import", "--config", config, dir.appendingPathComponent("missing").path]).status == 66)
    }
}
