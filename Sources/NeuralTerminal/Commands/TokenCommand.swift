import ArgumentParser
import FoundationEssentials
import NTAuth
import NTConfig

/// `neural-terminal token create|list|revoke`: API tokens for scripts (`Authorization: Bearer ntk_…`).
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke API tokens for scripts (auth.mode = \"password\").",
        discussion: """
            Examples:
              neural-terminal token create --name nightly-export --expires-days 90
              neural-terminal token create --name lab-notebook --user alice
              neural-terminal token list
              neural-terminal token revoke <id>
            """,
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it once on standard output (only its hash is stored).",
            discussion: """
                Example:
                  neural-terminal token create --config /etc/neural-terminal/neural-terminal.toml --name nightly-export --expires-days 90
                """
        )
        @OptionGroup var options: ConfigOption
        @Option(help: "What the token is for (shown by `token list`).") var name: String
        @Option(help: "Days until the token expires (default: never).") var expiresDays: Double?
        @Option(help: "The account the token acts as (default: the appliance's own account).") var user: String?

        func run() async throws {
            let config = try options.load(forAccessCommands: true)
            let trimmed = String(name.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            guard !trimmed.isEmpty, trimmed.count <= 100, !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                printError("--name must be 1 to 100 characters without control characters")
                throw ExitCode(Exit.dataError)
            }
            if let days = expiresDays, !(days > 0 && days <= 36_600) {
                printError("--expires-days must be greater than 0 and at most 36600")
                throw ExitCode(Exit.dataError)
            }
            let now = Date().timeIntervalSince1970
            let store = try AuthCommandSupport.openStore(config)
            let account = try await UserCommand.account(user ?? "", in: store, orOwner: user == nil)
            if account.isDisabled {
                printError("the account \(account.name) is disabled; enable it first (neural-terminal user enable \(account.name))")
                throw ExitCode(Exit.dataError)
            }
            let issued = try await store.createToken(account: account, name: trimmed, expiresAt: expiresDays.map { now + $0 * 86_400 }, now: now)
            print(issued.secret)
            printError("token \(issued.token.id) created for \(account.name); it is shown only now: send it as `Authorization: Bearer <token>`")
            if config.authMode == .none {
                printError("note: auth.mode is \"none\": requests need no token until auth.mode = \"password\"")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the tokens (never their secrets).",
            discussion: """
                Example:
                  neural-terminal token list --config /etc/neural-terminal/neural-terminal.toml --json
                """
        )
        @OptionGroup var options: ConfigOption
        @Flag(help: "Print JSON lines.") var json = false

        func run() async throws {
            let config = try options.load(forAccessCommands: true)
            let tokens = try await AuthCommandSupport.openStore(config).tokens()
            let now = Date().timeIntervalSince1970
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                for token in tokens { print(String(decoding: try encoder.encode(token), as: UTF8.self)) }
                return
            }
            if tokens.isEmpty {
                printError("no tokens; create one with `neural-terminal token create --name NAME`")
                return
            }
            let widths = [14, 24, 18, 22, 22, 22]
            print(BackupsCommand.row(["ID", "NAME", "USER", "CREATED", "LAST USED", "EXPIRES", "STATUS"], widths: widths))
            for token in tokens {
                print(BackupsCommand.row([
                    token.id, String(token.name.prefix(23)), String(token.user.prefix(17)), Self.time(token.createdAt), token.lastUsedAt.map(Self.time) ?? "never",
                    token.expiresAt.map(Self.time) ?? "never", token.status(at: now),
                ], widths: widths))
            }
        }

        static func time(_ seconds: Double) -> String {
            Date(timeIntervalSince1970: seconds.rounded(.down)).formatted(.iso8601)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token by its id; it stops working at once.",
            discussion: """
                Example:
                  neural-terminal token revoke --config /etc/neural-terminal/neural-terminal.toml <id>
                """
        )
        @OptionGroup var options: ConfigOption
        @Argument(help: "The token's id (the ID column of `token list`).") var id: String

        func run() async throws {
            let config = try options.load(forAccessCommands: true)
            guard try await AuthCommandSupport.openStore(config).revokeToken(id: id, now: Date().timeIntervalSince1970) else {
                printError("no active token with id \(id)")
                throw ExitCode(1)
            }
            printError("token \(id) revoked")
        }
    }
}
