import ArgumentParser
import FoundationEssentials
import NTAuth
import NTConfig

/// `neural-terminal user add|list|passwd|disable|enable|role`: the accounts of the people who share this appliance.
/// Works while the appliance runs: a new password or a disabled account ends that person's sessions at once.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add, list, disable and manage the accounts of the people who share this appliance.",
        discussion: """
            The appliance's own account (named admin unless renamed) exists from the start; `neural-terminal passwd` \
            sets its password. Each account sees only its own conversations, spend and tokens.

            Examples:
              neural-terminal user add alice
              neural-terminal user add bob --admin
              neural-terminal user list
              neural-terminal user passwd alice
              neural-terminal user disable alice
            """,
        subcommands: [Add.self, List.self, Passwd.self, Disable.self, Enable.self, Role.self]
    )

    /// The account named `name`, or the owner's when `orOwner` and no name was given; exits with a sentence when
    /// there is none.
    static func account(_ name: String, in store: AuthStore, orOwner: Bool = false) async throws -> Account {
        let found = orOwner && name.isEmpty ? try await store.account(id: Account.ownerID) : try await store.account(named: name)
        guard let found else {
            printError("no account named \(name); `neural-terminal user list` shows them")
            throw ExitCode(Exit.dataError)
        }
        return found
    }

    /// Runs a change of the store, turning a refused change into its sentence and exit status 65.
    static func change<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as AccountError {
            printError(error.description)
            throw ExitCode(Exit.dataError)
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an account and set its password (asked twice on a terminal, else one line of standard input).",
            discussion: """
                Example:
                  neural-terminal user add alice --config /etc/neural-terminal/neural-terminal.toml
                """
        )
        @OptionGroup var options: ConfigOption
        @Argument(help: "The name to log in with: ASCII letters, digits and . _ @ + - (an e-mail address works).") var name: String
        @Flag(help: "Make the account an admin (manages accounts and sees everyone's spend totals).") var admin = false
        @Flag(help: "Read the password from standard input (one line), even on a terminal.") var stdin = false
        @Flag(help: "Add the account without a password (it signs in through a trusted proxy, auth.mode = \"proxy\").") var noPassword = false

        func run() async throws {
            let config = try options.load(forAccessCommands: true)
            if let problem = AccountName.problem(with: name) {
                printError("the name \(problem)")
                throw ExitCode(Exit.dataError)
            }
            let store = try AuthCommandSupport.openStore(config)
            if try await store.account(named: name) != nil {
                printError("an account named \(name) exists already")
                throw ExitCode(Exit.dataError)
            }
            let hash = noPassword ? nil : try PasswdCommand.readNewPasswordHash(stdin: stdin)
            let made = try await UserCommand.change {
                try await store.addAccount(name: name, role: admin ? .admin : .member, passwordHash: hash, now: Date().timeIntervalSince1970)
            }
            printError("account \(made.name) added (\(made.role.rawValue))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the accounts (never their passwords).",
            discussion: """
                Example:
                  neural-terminal user list --config /etc/neural-terminal/neural-terminal.toml --json
                """
        )
        @OptionGroup var options: ConfigOption
        @Flag(help: "Print JSON lines.") var json = false

        func run() async throws {
            let config = try options.load(forAccessCommands: true)
            let accounts = try await AuthCommandSupport.openStore(config).accounts()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                for account in accounts { print(String(decoding: try encoder.encode(account), as: UTF8.self)) }
                return
            }
            let widths = [26, 8, 10, 10, 12, 12]
            print(BackupsCommand.row(["NAME", "ROLE", "STATUS", "PASSWORD", "DAILY USD", "MONTHLY USD", "CREATED"], widths: widths))
            for account in accounts {
                print(BackupsCommand.row([
                    String(account.name.prefix(25)) + (account.isOwner ? "*" : ""), account.role.rawValue,
                    account.isDisabled ? "disabled" : "active", account.hasPassword ? "set" : "none",
                    account.dailyBudgetUSD.map { String($0) } ?? "-", account.monthlyBudgetUSD.map { String($0) } ?? "-",
                    String(account.createdAt.prefix(19)),
                ], widths: widths))
            }
            printError("* the appliance's own account")
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set an account's password; its browser sessions end.",
            discussion: """
                Example:
                  neural-terminal user passwd alice --config /etc/neural-terminal/neural-terminal.toml
                """
        )
        @OptionGroup var options: ConfigOption
        @Argument(help: "The account's name.") var name: String
        @Flag(help: "Read the password from standard input (one line), even on a terminal.") var stdin = false

        func run() async throws {
            let config = try options.load(forAccessCommands: true)
            let store = try AuthCommandSupport.openStore(config)
            let account = try await UserCommand.account(name, in: store)
            if account.isOwner, !config.auth.passwordHash.isEmpty {
                printError("auth.password_hash is set in \(options.path) (or the environment) and is \(account.name)'s password: put the new hash there instead")
                throw ExitCode(Exit.config)
            }
            let hash = try PasswdCommand.readNewPasswordHash(stdin: stdin)
            let ended = try await UserCommand.change { try await store.setPassword(accountID: account.id, hash: hash, now: Date().timeIntervalSince1970) }
            printError("password of \(account.name) set; \(ended) browser session\(ended == 1 ? "" : "s") ended")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable an account: its sessions end at once, its tokens stop working; its conversations are kept.",
            discussion: """
                Example:
                  neural-terminal user disable alice --config /etc/neural-terminal/neural-terminal.toml
                """
        )
        @OptionGroup var options: ConfigOption
        @Argument(help: "The account's name.") var name: String

        func run() async throws {
            let config = try options.load(forAccessCommands: true)
            let store = try AuthCommandSupport.openStore(config)
            let account = try await UserCommand.account(name, in: store)
            let ended = try await UserCommand.change { try await store.setDisabled(accountID: account.id, true, now: Date().timeIntervalSince1970) }
            printError("\(account.name) disabled; \(ended) browser session\(ended == 1 ? "" : "s") ended")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enable a disabled account again.",
            discussion: """
                Example:
                  neural-terminal user enable alice --config /etc/neural-terminal/neural-terminal.toml
                """
        )
        @OptionGroup var options: ConfigOption
        @Argument(help: "The account's name.") var name: String

        func run() async throws {
            let config = try options.load(forAccessCommands: true)
            let store = try AuthCommandSupport.openStore(config)
            let account = try await UserCommand.account(name, in: store)
            _ = try await UserCommand.change { try await store.setDisabled(accountID: account.id, false, now: Date().timeIntervalSince1970) }
            printError("\(account.name) enabled")
        }
    }

    struct Role: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make an account an admin or a member.",
            discussion: """
                Example:
                  neural-terminal user role alice admin --config /etc/neural-terminal/neural-terminal.toml
                """
        )
        @OptionGroup var options: ConfigOption
        @Argument(help: "The account's name.") var name: String
        @Argument(help: "admin or member.") var role: String

        func run() async throws {
            let config = try options.load(forAccessCommands: true)
            guard let newRole = AccountRole(rawValue: role.lowercased()) else {
                printError("the role must be admin or member")
                throw ExitCode(Exit.dataError)
            }
            let store = try AuthCommandSupport.openStore(config)
            let account = try await UserCommand.account(name, in: store)
            try await UserCommand.change { try await store.setRole(accountID: account.id, newRole, now: Date().timeIntervalSince1970) }
            printError("\(account.name) is now \(newRole == .admin ? "an admin" : "a member")")
        }
    }
}
