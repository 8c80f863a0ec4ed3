import ArgumentParser
import NTSystem

/// `neural-terminal`: the appliance and its operator commands in one binary.
@main
struct NeuralTerminal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neural-terminal",
        abstract: "A self-hosted research terminal for large language models.",
        discussion: """
            Without a subcommand, `run`. Shell completions: `neural-terminal --generate-completion-script bash` \
            (or zsh, fish).

            Examples:
              neural-terminal run --config /etc/neural-terminal/neural-terminal.toml
              neural-terminal help backup
            """,
        subcommands: [
            RunCommand.self, CheckConfigCommand.self, StatusCommand.self, HealthcheckCommand.self,
            VersionCommand.self, ExportCommand.self, ImportCommand.self, BackupCommand.self, BackupsCommand.self,
            RestoreCommand.self, ArchiveCommand.self, MigrateCommand.self, PasswdCommand.self, UserCommand.self, TokenCommand.self, WorkerCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )

    /// ArgumentParser's entry point, after making every file this process creates private (0600, folders 0700):
    /// the database, backups, archives and exports hold the conversations, and capping malloc's arenas.
    static func main() async {
        PrivateFiles.restrictNewFiles()
        MallocArenas.limitToOnePerCore()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// Exit codes the commands use, after sysexits.h where one fits.
enum Exit {
    /// A configuration error (EX_CONFIG).
    static let config: Int32 = 78
    /// Something the appliance needs is not available (EX_UNAVAILABLE).
    static let unavailable: Int32 = 69
    /// Invalid input data (EX_DATAERR).
    static let dataError: Int32 = 65
    /// An input file that cannot be opened (EX_NOINPUT).
    static let noInput: Int32 = 66
    /// An output file that cannot be written (EX_CANTCREAT).
    static let cannotCreate: Int32 = 73
}
