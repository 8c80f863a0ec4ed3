import NTPostgres

/// Turns a parsed document plus the environment into an `AppConfig`, collecting every problem on the way.
struct ConfigBuilder {
    /// Where a key's value came from, so a problem found later (a cross-key check, the key file) points there.
    enum Source {
        case line(Int)
        case variable(String)
    }

    let file: String
    var config = AppConfig()
    private(set) var errors: [ConfigError] = []
    private var sources: [String: Source] = [:]
    /// Keys whose value was refused; checks that depend on them are skipped to avoid follow-on noise.
    private var refused: Set<String> = []

    /// Skip ``checkAuthExposure()`` (for `passwd` and `token`, see `ConfigLoader.load`).
    var forAccessCommands = false

    init(file: String) { self.file = file }

    /// Applies every section and key of the file, reporting unknown names with suggestions.
    mutating func apply(_ root: TOMLTable) {
        let sections = ConfigSchema.sections
        for name in root.keys {
            let value = root[name]!
            guard sections.contains(name) else {
                reportUnknown(name: name, in: nil, value: value)
                continue
            }
            guard case .table(let table) = value.kind else {
                report(line: value.line, "'\(name)' must be a table ([\(name)]), not \(value.typeDescription)")
                continue
            }
            for keyName in table.keys {
                let keyValue = table[keyName]!
                guard let key = ConfigSchema.key(section: name, name: keyName) else {
                    reportUnknown(name: keyName, in: name, value: keyValue)
                    continue
                }
                sources[key.path] = .line(keyValue.line)
                store(key, key.scalar(from: keyValue.kind))
            }
        }
    }

    /// Applies `NEURAL_TERMINAL_<SECTION>_<KEY>` variables over the file's values. A variable that is a near miss
    /// of a key's variable (`NEURAL_TERMINAL_SERVER_LISTN`) is an error, since the typo would otherwise be silently
    /// ignored; other `NEURAL_TERMINAL_*` variables are left to whoever uses them.
    mutating func applyEnvironment(_ environment: [String: String]) {
        let keys = ConfigSchema.keys
        for (variable, text) in environment.sorted(by: { $0.key < $1.key }) where variable.hasPrefix("NEURAL_TERMINAL_") {
            if let key = keys.first(where: { $0.environmentName == variable }) {
                sources[key.path] = .variable(variable)
                refused.remove(key.path)
                store(key, key.scalar(fromEnvironment: text))
                continue
            }
            for section in ConfigSchema.sections {
                let prefix = "NEURAL_TERMINAL_\(section.uppercased())_"
                guard variable.hasPrefix(prefix) else { continue }
                let names = keys.filter { $0.section == section }.map { $0.name.uppercased() }
                let guesses = DidYouMean.suggestions(for: String(variable.dropFirst(prefix.count)), among: names)
                if let hint = DidYouMean.phrase(guesses.map { prefix + $0 }) {
                    errors.append(ConfigError(variable: variable, file: file, message: "unknown setting; " + hint))
                }
            }
        }
    }

    /// Checks that involve more than one key.
    mutating func checkRelations() {
        checkAuthExposure()
        checkProxyMode()
        let s = config.supervisor
        if !refused.contains("supervisor.restart_initial_backoff_ms"), !refused.contains("supervisor.restart_max_backoff_ms"),
           s.restartMaxBackoffMs < s.restartInitialBackoffMs {
            let blame = sources["supervisor.restart_max_backoff_ms"] != nil
                ? "supervisor.restart_max_backoff_ms" : "supervisor.restart_initial_backoff_ms"
            report(blame, "'supervisor.restart_max_backoff_ms' (\(s.restartMaxBackoffMs)) must be at least "
                + "'supervisor.restart_initial_backoff_ms' (\(s.restartInitialBackoffMs))")
        }
        if !refused.contains("server.listen"), !refused.contains("metrics.listen"),
           let web = try? ListenAddress(parsing: config.server.listen),
           let metrics = try? ListenAddress(parsing: config.metrics.listen),
           web.port != 0, web.port == metrics.port,
           web.host == metrics.host || web.isUnspecified || metrics.isUnspecified || (web.isLoopback && metrics.isLoopback) {
            let blame = sources["metrics.listen"] != nil ? "metrics.listen" : "server.listen"
            report(blame, "'metrics.listen' (\(metrics)) and 'server.listen' (\(web)) cannot share a port")
        }
    }

    /// `auth.mode = "none"` only while every listener is on loopback: an appliance reachable from other machines
    /// without a password would hand its API key and its conversations to anyone who finds the port.
    mutating func checkAuthExposure() {
        guard !forAccessCommands, config.authMode == .none, !refused.contains("auth.mode") else { return }
        for (path, text) in [("server.listen", config.server.listen), ("metrics.listen", config.metrics.listen)] {
            guard !refused.contains(path), let address = try? ListenAddress(parsing: text), !address.isLoopback else { continue }
            let blame = sources[path] != nil ? path : "auth.mode"
            report(blame, "'\(path)' (\(text)) is reachable from other machines, which 'auth.mode' = \"none\" does not allow: "
                + "set a password with `neural-terminal passwd` and 'auth.mode' = \"password\" in [auth], or listen on 127.0.0.1")
        }
        if !config.server.trustedProxies.isEmpty, !refused.contains("server.trusted_proxies") {
            let blame = sources["server.trusted_proxies"] != nil ? "server.trusted_proxies" : "auth.mode"
            report(blame, "'server.trusted_proxies' means the appliance is served through a proxy, which 'auth.mode' = \"none\" "
                + "does not allow: set a password with `neural-terminal passwd` and 'auth.mode' = \"password\" in [auth]")
        }
        // A reverse proxy on this machine makes a loopback listener public: its requests arrive from 127.0.0.1
        // with a loopback Host. A public URL other than a loopback one says exactly that.
        let publicURL = config.server.publicURL
        if !publicURL.isEmpty, !refused.contains("server.public_url"), let host = HTTPURLOrigin(publicURL)?.authority, !LoopbackHost.contains(host) {
            let blame = sources["server.public_url"] != nil ? "server.public_url" : "auth.mode"
            report(blame, "'server.public_url' (\(publicURL)) makes the appliance reachable through a proxy, which 'auth.mode' = \"none\" "
                + "does not allow: set a password with `neural-terminal passwd` and 'auth.mode' = \"password\" in [auth]")
        }
    }

    /// `auth.mode = "proxy"` believes the user header only from the proxies `server.trusted_proxies` lists; without
    /// any, nobody could sign in, and a mistake here must stop the start (or the SIGHUP), not open the door.
    mutating func checkProxyMode() {
        guard !forAccessCommands, config.authMode == .proxy, !refused.contains("auth.mode"),
              !refused.contains("server.trusted_proxies"), config.trustedProxies.isEmpty else { return }
        let blame = sources["server.trusted_proxies"] != nil ? "server.trusted_proxies" : "auth.mode"
        report(blame, "'auth.mode' = \"proxy\" needs 'server.trusted_proxies': the addresses the proxy connects from "
            + "(e.g. \"127.0.0.1\"), the only peers whose '\(config.auth.proxyUserHeader)' header is believed")
    }

    /// Fills `upstreamAPIKey`: `OPENROUTER_API_KEY` if non-empty, else the trimmed key file, else nil. A key with
    /// whitespace or control characters inside is refused (`APIKeyFormat.refusal`); messages never show it.
    mutating func resolveAPIKey(_ environment: [String: String]) {
        if let key = environment["OPENROUTER_API_KEY"].map(Self.trimmed), !key.isEmpty {
            if let problem = APIKeyFormat.refusal(of: key) {
                errors.append(ConfigError(variable: "OPENROUTER_API_KEY", file: file, message: "the API key \(problem)"))
            } else {
                config.upstreamAPIKey = key
            }
            return
        }
        config.upstreamAPIKey = readSecretFile("upstream.api_key_file", path: config.upstream.apiKeyFile) { key in
            APIKeyFormat.refusal(of: key).map { $0 == "must be on a single line" ? "must hold the key on a single line" : "holds a key that \($0)" }
        }
    }

    /// Fills `databasePassword`: `NEURAL_TERMINAL_DATABASE_PASSWORD` if non-empty, else the trimmed password file,
    /// else nil. Only a PostgreSQL URL uses it.
    mutating func resolveDatabasePassword(_ environment: [String: String]) {
        if let password = environment[PostgresURL.passwordVariable], !password.isEmpty {
            config.databasePassword = password
            return
        }
        config.databasePassword = readSecretFile("storage.password_file", path: config.storage.passwordFile) { _ in nil }
    }

    /// Fills `metricsBearerToken` from `metrics.bearer_token_file` (trimmed), or leaves it nil when the key is empty.
    mutating func resolveMetricsToken() {
        config.metricsBearerToken = readSecretFile("metrics.bearer_token_file", path: config.metrics.bearerTokenFile) { token in
            BearerTokenFormat.refusal(of: token).map { "holds a token that \($0)" }
        }
    }

    /// Reads a one-line secret file named by `keyPath`: nil (and an error naming the file, never its contents)
    /// when it cannot be read, is empty or `refusal` objects; nil without error when `path` is empty.
    private mutating func readSecretFile(_ keyPath: String, path: String, refusal: (String) -> String?) -> String? {
        guard !path.isEmpty, !refused.contains(keyPath) else { return nil }
        switch FileReader.contents(of: path) {
        case .failure(let failure):
            report(keyPath, "'\(keyPath)': cannot read '\(path)': \(failure.message)")
        case .success(let bytes):
            let secret = Self.trimmed(String(decoding: bytes, as: UTF8.self))
            if secret.isEmpty {
                report(keyPath, "'\(keyPath)': '\(path)' is empty")
            } else if secret.contains("\u{FFFD}") {
                report(keyPath, "'\(keyPath)': '\(path)' is not valid UTF-8 text")
            } else if let problem = refusal(secret) {
                report(keyPath, "'\(keyPath)': '\(path)' \(problem)")
            } else {
                return secret
            }
        }
        return nil
    }

    // MARK: helpers

    private mutating func store(_ key: ConfigKey, _ scalar: Result<ConfigScalar, ConfigKey.Problem>) {
        let problem: String? = switch scalar {
        case .failure(let failure): failure.text
        case .success(let value): key.set(&config, value)
        }
        if let problem {
            refused.insert(key.path)
            report(key.path, "'\(key.path)' \(problem)")
        }
    }

    private mutating func reportUnknown(name: String, in section: String?, value: TOMLValue) {
        let keys = ConfigSchema.keys
        let path = section.map { "\($0).\(name)" } ?? name
        var message: String
        var suggestions: [String]
        if section == nil, case .table = value.kind {
            message = "unknown section '[\(name)]'"
            suggestions = DidYouMean.suggestions(for: name, among: ConfigSchema.sections).map { "[\($0)]" }
        } else {
            message = "unknown key '\(path)'"
            let sectionKeys = keys.filter { $0.section == section }.map(\.name)
            suggestions = DidYouMean.suggestions(for: name, among: sectionKeys).map { "\(section ?? "").\($0)" }
            if suggestions.isEmpty { suggestions = keys.filter { $0.name == name }.map(\.path) }
            if suggestions.isEmpty { suggestions = DidYouMean.suggestions(for: path, among: keys.map(\.path)) }
        }
        if let hint = DidYouMean.phrase(suggestions) { message += "; " + hint }
        report(line: value.line, message)
    }

    private mutating func report(line: Int, _ message: String) {
        errors.append(ConfigError(file: file, line: line, message: message))
    }

    private mutating func report(_ path: String, _ message: String) {
        switch sources[path] {
        case .variable(let variable)?: errors.append(ConfigError(variable: variable, file: file, message: message))
        case .line(let line)?: report(line: line, message)
        case nil: report(line: 0, message)
        }
    }

    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
