/// Reads and validates the appliance configuration: the whole file is checked before anything uses it.
///
/// On SIGHUP the supervisor calls `load` again; if it throws, the running configuration stays and every
/// `ConfigErrors.errors` line is logged (`file:line: message`), as nginx and Caddy do. Environment overrides
/// (`NEURAL_TERMINAL_<SECTION>_<KEY>`) and the API key are resolved here too, so the result is final.
public enum ConfigLoader {
    /// The file `load` should read: `NEURAL_TERMINAL_CONFIG` if set and non-empty, else
    /// `etc/neural-terminal.toml` relative to the working directory.
    public static func defaultPath(environment: [String: String]) -> String {
        if let path = environment["NEURAL_TERMINAL_CONFIG"], !path.isEmpty { return path }
        return "etc/neural-terminal.toml"
    }

    /// Reads `path` and validates it with `environment` applied (pass the process environment).
    ///
    /// Throws only `ConfigErrors` (declared untyped so callers can `catch let errors as ConfigErrors` next to
    /// other catches without an "always true" warning).
    ///
    /// An unreadable file gives the single error `path:0: cannot read: <strerror>`; a file that is not UTF-8
    /// gives one error at the first bad line. Otherwise see `parse`.
    ///
    /// `forAccessCommands` loads what `neural-terminal passwd` and `token` need — the data directory and the auth
    /// settings — without the two parts that could stop them exactly when they are needed: the check that refuses
    /// `auth.mode = "none"` on a non-loopback listener, and reading the key and token files (an administrator
    /// may not be able to read the service's 0600 key file, and these commands never use it).
    public static func load(path: String, environment: [String: String], forAccessCommands: Bool = false) throws -> AppConfig {
        let bytes: [UInt8]
        switch FileReader.contents(of: path) {
        case .success(let contents): bytes = contents
        case .failure(let failure): throw ConfigErrors([ConfigError(file: path, line: 0, message: "cannot read: \(failure.message)")])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigErrors([ConfigError(file: path, line: firstInvalidUTF8Line(bytes), message: "not valid UTF-8")])
        }
        return try parse(text, file: path, environment: environment, forAccessCommands: forAccessCommands)
    }

    /// Validates TOML text; `file` only prefixes messages. Absent keys take their defaults, so "" is valid.
    ///
    /// Throws only `ConfigErrors`, with every problem at once: syntax errors if there are any (the schema is not
    /// checked against a half-read file), otherwise every unknown name, wrong type, out-of-range value, bad
    /// environment override and unreadable key file, in file order followed by environment problems.
    public static func parse(_ text: String, file: String, environment: [String: String], forAccessCommands: Bool = false) throws -> AppConfig {
        let document = try TOMLDocument(parsing: text, file: file)
        var builder = ConfigBuilder(file: file)
        builder.forAccessCommands = forAccessCommands
        builder.apply(document.root)
        builder.applyEnvironment(environment)
        builder.checkRelations()
        builder.resolveDatabasePassword(environment)
        if !forAccessCommands {
            builder.resolveAPIKey(environment)
            builder.resolveMetricsToken()
        }
        guard builder.errors.isEmpty else {
            let fromFile = builder.errors.filter { $0.variable == nil }.enumerated()
                .sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
            throw ConfigErrors(fromFile + builder.errors.filter { $0.variable != nil })
        }
        return builder.config
    }

    private static func firstInvalidUTF8Line(_ bytes: [UInt8]) -> Int {
        for (index, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated()
            where String(validating: line, as: UTF8.self) == nil {
            return index + 1
        }
        return 0
    }
}
