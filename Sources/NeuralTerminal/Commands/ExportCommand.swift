import ArgumentParser
import NTArchive
import NTAuth
import NTChat
import NTConfig
import NTFiles
import Supervisor

/// `neural-terminal export`: the API's export, straight from the database file (ADR 0006).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export every conversation as JSON Lines, or one conversation as JSON or Markdown.",
        discussion: """
            Reads <storage.data_dir>/neural-terminal.db directly; safe while the appliance runs (SQLite WAL). \
            A new or regular output file is written as FILE.partial and renamed when complete; devices, pipes \
            and symbolic links are written in place. Progress goes to stderr: a bar on a terminal, a line per \
            10 % otherwise.

            Without --user it exports everyone's conversations (the operator's view of the whole database).

            Examples:
              neural-terminal export --output conversations.jsonl
              neural-terminal export --user alice --output alice.jsonl
              neural-terminal export --conversation <id> --format markdown --output chat.md
            """
    )

    @OptionGroup var options: ConfigOption
    @Option(help: "json (default) or markdown; markdown needs --conversation.") var format: String = "json"
    @Option(help: "Export only this conversation (its id).") var conversation: String?
    @Option(name: .shortAndLong, help: "The file to write, or - for standard output.") var output: String = "-"
    @Option(help: "Export only the conversations of this account.") var user: String?

    func validate() throws {
        guard let chosen = ExportFormat(rawValue: format) else { throw ValidationError("--format must be json or markdown") }
        if chosen == .markdown && conversation == nil { throw ValidationError("--format markdown needs --conversation ID") }
        if let conversation, !Identifiers.isValid(conversation) {
            throw ValidationError("--conversation must be a conversation id (36 characters, as in the API)")
        }
    }

    func run() async throws {
        let config = try options.load()
        let repository = try CommandDatabase.openRepository(config, creating: false)
        let owner = try await AccountOption.id(of: user, config)
        let exporter = ConversationExporter(repository: repository)
        let out = try OutputFile(path: output)
        do {
            if let conversation {
                guard let file = try await exporter.export(conversationID: conversation, ownerID: owner, format: ExportFormat(rawValue: format) ?? .json) else {
                    out.discard()
                    printError("no conversation \(conversation)")
                    throw ExitCode(1)
                }
                try out.write(file.bytes)
                try out.commit()
                if !out.isStandardOutput { printError("exported \(file.bytes.count) bytes to \(output)") }
                return
            }
            let progress = ProgressReporter(label: "export", measure: .count("conversations"))
            let count = try await exporter.exportAll(ownerID: owner) { bytes in try out.write(bytes) } progress: { step in
                progress.update(done: step.done, total: step.total)
            }
            try out.commit()
            progress.finish("exported \(count) conversations" + (out.isStandardOutput ? "" : " to \(output)"))
        } catch {
            out.discard()
            throw error
        }
    }
}

/// `neural-terminal import`: the API's import, straight into the database file (ADR 0006).
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an export (JSON Lines or one conversation's JSON) or a monthly archive (.jsonl.zst) into the database.",
        discussion: """
            Conversations are matched by id. An import adds and updates, never deletes: a stored message the \
            file lacks stays, a message both hold keeps its newer copy, and a conversation whose history in the \
            file branches off the stored one is stored beside it as "… (imported copy)". A re-import changes \
            nothing. The API's limits ([limits] message_max_chars, title_max_chars, json_max_depth) apply; \
            timestamps must be UTC as the export writes them and not in the future. Each conversation is stored \
            in its own transaction; safe while the appliance runs. zstd input (a monthly archive, or any export \
            compressed with zstd) is recognised by its first bytes and decompressed as it is read. Creates the \
            data directory and database if needed. Exit 65 on invalid input, naming the line.

            The conversations are stored for the appliance's own account, or for --user's: exports and archives \
            do not say whose they were.

            Examples:
              neural-terminal import conversations.jsonl
              neural-terminal import --user alice alice.jsonl
              neural-terminal import /var/lib/neural-terminal/archives/2026-01.jsonl.zst
            """
    )

    @OptionGroup var options: ConfigOption
    @Argument(help: "The export or archive file, or - for standard input.") var file: String
    @Option(help: "Store the conversations for this account (default: the appliance's own).") var user: String?

    func run() async throws {
        let config = try options.load()
        let input = try InputFile(path: file)
        let repository = try CommandDatabase.openRepository(config, creating: true)
        // The operator's own file: no limit on its total size; each record is held to the configured limits.
        var limits = ImportLimits(config)
        limits.maxTotalBytes = .max
        let owner = try await AccountOption.id(of: user, config) ?? Conversation.ownerAccountID
        let importer = ConversationImporter(repository: repository, limits: limits, ownerID: owner)
        let progress = ProgressReporter(label: "import", measure: .bytes)
        let decoder = MaybeZstdDecoder(label: file)
        var read = 0
        do {
            while let chunk = try input.read() {
                read += chunk.count
                try decoder.feed(chunk)
                while let piece = try decoder.next() { try await importer.feed(piece) }
                progress.update(done: read, total: input.size)
            }
            try await importer.feed(try decoder.finish())
            let summary = try importer.finish()
            progress.finish("imported: \(summary.sentence)")
        } catch let error as ImportError {
            progress.finish(nil)
            printError("\(file): \(error.description)")
            throw ExitCode(Exit.dataError)
        } catch let error as FileError {
            progress.finish(nil)
            printError("\(file): \(error.description)")
            throw ExitCode(Exit.dataError)
        }
    }
}

/// `--user NAME` of `export` and `import`.
enum AccountOption {
    /// The id of the account `name` names (nil without a name); exits 65 with a sentence when there is none.
    static func id(of name: String?, _ config: AppConfig) async throws -> String? {
        guard let name else { return nil }
        let store = try AuthCommandSupport.openStore(config)
        guard let account = try await store.account(named: name) else {
            printError("no account named \(name); `neural-terminal user list` shows them")
            throw ExitCode(Exit.dataError)
        }
        return account.id
    }
}
