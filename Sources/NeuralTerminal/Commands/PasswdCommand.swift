import ArgumentParser
import FoundationEssentials
import NTAuth
import NTConfig
import NTStorage
import NTSystem
import Supervisor
#if canImport(Glibc)
import Glibc
#endif

/// `neural-terminal passwd`: sets the password of the appliance's own account (stored as a bcrypt hash in the
/// database), which ends that account's browser sessions. Works while the appliance runs; the next login uses the
/// new password. Other accounts' passwords: `neural-terminal user passwd NAME`.
struct PasswdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd",
        abstract: "Set the password of the appliance's own account (auth.mode = \"password\"); its browser sessions end.",
        discussion: """
            On a terminal the password is asked for twice without echo; otherwise (or with --stdin) one line is \
            read from standard input. --print-hash prints a bcrypt hash for auth.password_hash (or \
            NEURAL_TERMINAL_AUTH_PASSWORD_HASH) instead of storing anything.

            Examples:
              neural-terminal passwd --config /etc/neural-terminal/neural-terminal.toml
              neural-terminal passwd --print-hash
            """
    )

    @OptionGroup var options: ConfigOption
    @Flag(help: "Read the password from standard input (one line), even on a terminal.") var stdin = false
    @Flag(help: "Print a bcrypt hash of the password and store nothing.") var printHash = false

    func run() async throws {
        let config = try options.load(forAccessCommands: true)
        let hash = try Self.readNewPasswordHash(stdin: stdin)
        if printHash {
            print(hash)
            return
        }
        if !config.auth.passwordHash.isEmpty {
            printError("auth.password_hash is set in \(options.path) (or the environment) and wins over a stored password: "
                + "put the new hash there instead (neural-terminal passwd --print-hash), or remove it and run passwd again")
            throw ExitCode(Exit.config)
        }
        let store = try AuthCommandSupport.openStore(config)
        let ended = try await store.setPasswordHash(hash, now: Date().timeIntervalSince1970)
        printError("password set; \(ended) browser session\(ended == 1 ? "" : "s") ended")
        if config.authMode == .none {
            printError("note: auth.mode is \"none\", so no password is asked for yet: set auth.mode = \"password\" in [auth] and restart or SIGHUP the appliance")
        }
    }

    /// Reads a new password (asked twice without echo on a terminal, else one line of standard input), checks it
    /// against the rules and returns its bcrypt hash; exits with a sentence when it does not qualify.
    static func readNewPasswordHash(stdin: Bool) throws -> String {
        let password = try readPassword(stdin: stdin)
        if let problem = Password.problem(with: password) {
            printError("the password \(problem)")
            throw ExitCode(Exit.dataError)
        }
        return Password.hash(password)
    }

    private static func readPassword(stdin: Bool) throws -> String {
        guard !stdin, isatty(0) == 1 else {
            guard let line = readLine(strippingNewline: true) else {
                printError("no password on standard input")
                throw ExitCode(Exit.dataError)
            }
            return line
        }
        let first = try TerminalPrompt.secret("New password: ")
        let second = try TerminalPrompt.secret("Repeat it: ")
        guard first == second else {
            printError("the two passwords differ; nothing changed")
            throw ExitCode(Exit.dataError)
        }
        return first
    }
}

/// Reading a secret from the terminal without echoing it.
enum TerminalPrompt {
    static func secret(_ prompt: String) throws -> String {
        try? FileDescriptorIO.writeAll(2, Array(prompt.utf8))
        var saved = termios()
        let canSilence = tcgetattr(0, &saved) == 0
        if canSilence {
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(0, TCSAFLUSH, &silent)
        }
        defer {
            if canSilence { tcsetattr(0, TCSAFLUSH, &saved) }
            try? FileDescriptorIO.writeAll(2, Array("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else { throw ExitCode(Exit.dataError) }
        return line
    }
}

/// What `passwd` and `token` share: the auth tables of the appliance database.
enum AuthCommandSupport {
    /// The database (created and migrated if needed: a password may be set before the first start).
    static func openStore(_ config: AppConfig) throws -> AuthStore {
        let location = try CommandDatabase.open(config, creating: true)
        do {
            return try AuthStore(location: location, applicationName: "neural-terminal command")
        } catch {
            printError("\(location.displayName): \(error)")
            throw ExitCode(Exit.unavailable)
        }
    }
}
