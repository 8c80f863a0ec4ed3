/// The whole validated configuration of the appliance.
///
/// Built by `ConfigLoader` from `etc/neural-terminal.toml` plus environment overrides; every field holds its
/// default when the file does not mention it, so `AppConfig()` is the configuration of an empty file. The
/// supervisor passes it to workers as JSON (Swift property names, not TOML names), including the resolved API key,
/// so workers never read the file or the key file themselves.
public struct AppConfig: Codable, Sendable, Equatable {
    /// `[server]`: the web worker's listener and request limits.
    public var server = ServerConfig()
    /// `[auth]`: login, sessions and API tokens of the web worker.
    public var auth = AuthConfig()
    /// `[metrics]`: the metrics worker's listener.
    public var metrics = MetricsConfig()
    /// `[storage]`: where the database, backups and run files live.
    public var storage = StorageConfig()
    /// `[instance]`: this appliance's name among several on one database.
    public var instance = InstanceConfig()
    /// `[upstream]`: the OpenRouter-compatible API the web worker streams from.
    public var upstream = UpstreamConfig()
    /// `[budget]`: daily, monthly and per-conversation spending limits.
    public var budget = BudgetConfig()
    /// `[breaker]`: the circuit breaker around the upstream.
    public var breaker = BreakerConfig()
    /// `[retry]`: retries before the first token.
    public var retry = RetryConfig()
    /// `[limits]`: rate limits (API, chat turns, logins) and input limits of the web worker.
    public var limits = LimitsConfig()
    /// `[log]`: log verbosity and line format for every process.
    public var log = LogConfig()
    /// `[supervisor]`: restart policy, shutdown grace, run directory.
    public var supervisor = SupervisorConfig()
    /// `[memory]`: the supervisor's memory watchdog.
    public var memory = MemoryConfig()
    /// `[maintenance]`: the maintenance worker's schedule.
    public var maintenance = MaintenanceConfig()
    /// `[backup]`: scheduled backups and their retention, run by the maintenance worker.
    public var backup = BackupConfig()
    /// `[archive]`: monthly archives of old conversations, optionally pruned from the database.
    public var archive = ArchiveConfig()

    /// The API key sent upstream: `OPENROUTER_API_KEY` if set and non-empty, else the trimmed contents of
    /// `upstream.api_key_file`, else nil. A secret: never log it, never write it to disk; it is in the JSON only
    /// because the supervisor hands the resolved config to workers over a pipe.
    public var upstreamAPIKey: String?

    /// The token `/metrics` requires (`Authorization: Bearer <token>`): the trimmed contents of
    /// `metrics.bearer_token_file`, or nil when that key is empty (then `/metrics` is open). A secret, handled
    /// like `upstreamAPIKey`: redacted from every log line, never written anywhere.
    public var metricsBearerToken: String?

    /// The PostgreSQL password: `NEURAL_TERMINAL_DATABASE_PASSWORD` if set and non-empty, else the trimmed
    /// contents of `storage.password_file`, else nil. A secret, handled like `upstreamAPIKey`.
    public var databasePassword: String?

    /// The defaults, i.e. the configuration an empty file produces (without an API key).
    public init() {}

    /// The directory for the control socket and pid files: `supervisor.run_dir`, or `<data_dir>/run` when empty.
    public var resolvedRunDir: String {
        if !supervisor.runDir.isEmpty { return supervisor.runDir }
        let dataDir = storage.dataDir
        return dataDir.hasSuffix("/") ? dataDir + "run" : dataDir + "/run"
    }

    /// The backup directory: `backup.dir`, or `<data_dir>/backups` when empty.
    public var resolvedBackupDir: String {
        if !backup.dir.isEmpty { return backup.dir }
        let dataDir = storage.dataDir
        return dataDir.hasSuffix("/") ? dataDir + "backups" : dataDir + "/backups"
    }

    /// The archive directory: `archive.dir`, or `<data_dir>/archives` when empty.
    public var resolvedArchiveDir: String {
        if !archive.dir.isEmpty { return archive.dir }
        let dataDir = storage.dataDir
        return dataDir.hasSuffix("/") ? dataDir + "archives" : dataDir + "/archives"
    }

    /// `server.trusted_proxies` as canonical addresses (`ClientAddress.canonical`).
    public var trustedProxies: Set<String> {
        Set(server.trustedProxies.split(separator: ",").compactMap { ClientAddress.canonical(String($0)) })
    }

    /// `auth.mode` as an enum; `.none` if the string is not a mode (it always is after validation).
    public var authMode: AuthMode { AuthMode(rawValue: auth.mode) ?? .none }

    /// `log.level` as an enum; `.info` if the string is not a level (it always is after validation).
    public var logLevel: LogLevel { LogLevel(rawValue: log.level) ?? .info }

    /// `log.format` as an enum; `.auto` if the string is not a format (it always is after validation).
    public var logFormat: LogFormatSetting { LogFormatSetting(rawValue: log.format) ?? .auto }
}

/// How the web worker lets people in (`auth.mode`).
public enum AuthMode: String, Codable, Sendable, CaseIterable {
    /// No login: for a single user on this machine. Every listener must be on loopback.
    case none
    /// A password (login page, browser sessions) and API tokens for scripts.
    case password
    /// Single sign-on through a trusted reverse proxy: the proxy signs people in and names the account in
    /// `auth.proxy_user_header`, which is believed only from a peer in `server.trusted_proxies` (required). API
    /// tokens work as in `password` mode.
    case proxy
}

/// How log lines are written (`log.format`). The supervisor turns `auto` into `json` or `text` once, at start,
/// and every worker it spawns uses that choice.
public enum LogFormatSetting: String, Codable, Sendable, CaseIterable {
    /// Text when the supervisor's standard output is a terminal, JSON otherwise (files, pipes, the journal).
    case auto
    /// One JSON object per line, for log collectors.
    case json
    /// One readable line per event, for people.
    case text
}

/// Log verbosity, named as swift-log's `Logger.Level` so `Logger.Level(rawValue: level.rawValue)` converts.
public enum LogLevel: String, Codable, Sendable, CaseIterable, Comparable {
    case trace, debug, info, notice, warning, error, critical

    /// Ordered from most to least verbose, as in swift-log.
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
