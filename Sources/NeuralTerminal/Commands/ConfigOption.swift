import ArgumentParser
import NTConfig
#if canImport(Glibc)
import Glibc
#endif

/// The `--config` option shared by every command that reads the config file.
struct ConfigOption: ParsableArguments {
    @Option(name: .shortAndLong, help: "The config file (default: $NEURAL_TERMINAL_CONFIG or etc/neural-terminal.toml).")
    var config: String?

    var environment: [String: String] { ProcessEnvironment.current }

    var path: String { config ?? ConfigLoader.defaultPath(environment: environment) }

    /// Loads and validates the file, or prints every error as `file:line: message` and exits 78.
    func load(forAccessCommands: Bool = false) throws -> AppConfig {
        do {
            return try ConfigLoader.load(path: path, environment: environment, forAccessCommands: forAccessCommands)
        } catch let errors as ConfigErrors {
            for error in errors.errors { printError(error.description) }
            throw ExitCode(Exit.config)
        }
    }
}

/// The environment as a dictionary, read once from `environ` (no Foundation needed).
enum ProcessEnvironment {
    static let current: [String: String] = {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let pair = String(cString: entry)
            if let eq = pair.firstIndex(of: "=") {
                result[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
            }
            cursor += 1
        }
        return result
    }()
}

/// Writes a line to stderr.
func printError(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
