import ArgumentParser
import NTArchive
import NTConfig
import NTFiles

/// `neural-terminal archive`: runs archiving now (ADR 0011). While the appliance runs, its maintenance worker does
/// it (through the control socket, so it never races a scheduled run); otherwise this process does. `--list`
/// shows the month files instead.
struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Archive old conversations to monthly .jsonl.zst files now, or list the archive files.",
        discussion: """
            Conversations untouched for archive.after_days days go to <archive.dir>/YYYY-MM.jsonl.zst (the UTC \
            month of their last activity), each file read back and verified before it replaces the previous one; \
            with archive.prune = true they are then deleted from the database unless they changed meanwhile. \
            `neural-terminal import FILE.jsonl.zst` brings an archive back. Exit 1 on failure.

            Examples:
              neural-terminal archive --config /etc/neural-terminal/neural-terminal.toml
              neural-terminal archive --list --json
            """
    )

    @OptionGroup var options: ConfigOption
    @Flag(help: "Print the result as JSON.") var json = false
    @Flag(help: "List the month files and check each against its manifest (size and SHA-256) instead.") var list = false

    func run() async throws {
        let config = try options.load()
        if list { return try Self.list(config, json: json) }
        let report: ArchiveReport
        if let answer: ArchiveReport = try await RunningAppliance.ask(config, "archive", doing: "archives") {
            report = answer
        } else {
            let repository = try CommandDatabase.openRepository(config, creating: false)
            report = await ArchiveRunner(repository: repository, settings: ArchiveSettings(config)).run()
        }
        if json {
            print(report.encoded())
        } else if report.ok {
            print("archived \(report.archivedConversations) conversations (\(report.archivedMessages) messages); pruned \(report.prunedConversations)" +
                  (report.keptChanged > 0 ? "; \(report.keptChanged) kept because they changed after archiving" : "")
                  + (report.oversized > 0 ? "; \(report.oversized) that an import would refuse (too large or over a limit), left in the database" : ""))
            for file in report.files {
                print("\(file.file): +\(file.added), \(file.conversations) conversations, \(humanBytes(file.bytes))")
            }
        } else {
            printError("archive failed (\(report.reason ?? "error")): \(report.error ?? "unknown error")")
        }
        if !report.ok { throw ExitCode(1) }
    }

    /// Prints each month file with its manifest's counts and whether size and SHA-256 match it.
    static func list(_ config: AppConfig, json: Bool) throws {
        let directory = config.resolvedArchiveDir
        var failed = false
        for name in FileOps.list(directory) where ArchiveMonth(fileName: name) != nil {
            let path = directory + "/" + name
            let manifest = ArchiveManifest.read(of: path)
            let status: String
            if let manifest {
                let sha = (try? Zstd.decompress(input: path, output: nil))?.sha256
                status = sha == manifest.sha256 && FileOps.size(path) == manifest.bytes ? "ok" : "checksum mismatch"
            } else {
                status = "no manifest"
            }
            failed = failed || status != "ok"
            if json {
                print(#"{"file":"\#(name)","status":"\#(status)","conversations":\#(manifest?.conversations ?? -1),"messages":\#(manifest?.messages ?? -1),"bytes":\#(FileOps.size(path) ?? 0)}"#)
            } else {
                print("\(name)  \(manifest.map { "\($0.conversations) conversations, \($0.messages) messages" } ?? "-")  \(humanBytes(FileOps.size(path) ?? 0))  \(status)")
            }
        }
        if failed { throw ExitCode(1) }
    }
}
