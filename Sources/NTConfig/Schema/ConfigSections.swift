// The sections of `AppConfig`. Defaults live here and nowhere else; ranges and reload effects live in
// ConfigSchema.swift, and docs/configuration.md documents both (a test keeps the three in step).

/// `[server]`
public struct ServerConfig: Codable, Sendable, Equatable {
    /// `listen`: `host:port` the supervisor binds for the web worker; parse with `ListenAddress(parsing:)`.
    public var listen = "127.0.0.1:8080"
    /// `public_url`: the externally visible base URL (behind a proxy); empty means none is known.
    public var publicURL = ""
    /// `max_body_bytes`: the largest request body the web worker accepts.
    public var maxBodyBytes = 1_048_576
    /// `trusted_proxies`: comma-separated IP addresses of reverse proxies whose `X-Forwarded-For` names the client;
    /// empty = none. Use `AppConfig.trustedProxies`.
    public var trustedProxies = ""
    /// The defaults.
    public init() {}
}

/// `[auth]`: who may use the web UI and the API.
public struct AuthConfig: Codable, Sendable, Equatable {
    /// `mode`: `none` (no login; allowed only while every listener is on loopback, and requests must name a
    /// loopback host), `password` (a login page, sessions and API tokens) or `proxy` (a trusted reverse proxy
    /// names the signed-in account in `proxy_user_header`; API tokens too). Use `AppConfig.authMode`.
    public var mode = "none"
    /// `password_hash`: a bcrypt hash of the password; empty = the one set with `neural-terminal passwd`.
    public var passwordHash = ""
    /// `session_idle_minutes`: a browser session ends after this long without a request.
    public var sessionIdleMinutes = 720.0
    /// `session_max_hours`: a browser session ends this long after login, however active.
    public var sessionMaxHours = 168.0
    /// `proxy_user_header`: in `proxy` mode, the request header in which the proxy names the signed-in account
    /// (an HTTP field name; believed only from a peer in `server.trusted_proxies`).
    public var proxyUserHeader = "Remote-User"
    /// `proxy_create_accounts`: in `proxy` mode, whether a name the proxy sends for the first time becomes a
    /// `member` account without a password (true) or is refused until `neural-terminal user add` makes it (false).
    public var proxyCreateAccounts = false
    /// The defaults.
    public init() {}
}

/// `[metrics]`
public struct MetricsConfig: Codable, Sendable, Equatable {
    /// `listen`: `host:port` the supervisor binds for the metrics worker.
    public var listen = "127.0.0.1:9090"
    /// `bearer_token_file`: file holding the token `/metrics` requires as `Authorization: Bearer`; read at load
    /// time (see `AppConfig.metricsBearerToken`). Empty: `/metrics` is open (fine on loopback).
    public var bearerTokenFile = ""
    /// The defaults.
    public init() {}
}

/// `[storage]`
public struct StorageConfig: Codable, Sendable, Equatable {
    /// `data_dir`: database, backups and (by default) the run directory; relative paths are from the working directory.
    public var dataDir = "./data"
    /// `url`: empty for the embedded SQLite database in `data_dir` (the default), or a `postgres://USER@HOST/DB`
    /// URL of a PostgreSQL server (libpq's URI syntax, `sslmode` and all; no password in it).
    public var url = ""
    /// `password_file`: file holding the PostgreSQL password (`NEURAL_TERMINAL_DATABASE_PASSWORD` overrides it);
    /// read at load time (see `AppConfig.databasePassword`). Empty: no password (trust, peer or certificate login).
    public var passwordFile = ""
    /// The defaults.
    public init() {}
}

/// `[instance]`
public struct InstanceConfig: Codable, Sendable, Equatable {
    /// `name`: this appliance among several sharing one PostgreSQL database: the `instance` label on its metrics
    /// and the name its web workers register under (`runners.instance`). Empty: the host's name.
    public var name = ""
    /// The defaults.
    public init() {}
}

/// `[upstream]`
public struct UpstreamConfig: Codable, Sendable, Equatable {
    /// `base_url`: an http(s) URL of an OpenRouter-compatible API, without a trailing `/chat/completions`.
    public var baseURL = "https://openrouter.ai/api/v1"
    /// `api_key_file`: file holding the API key; read at load time (see `AppConfig.upstreamAPIKey`).
    public var apiKeyFile = ""
    /// `referer`: sent as `HTTP-Referer` for OpenRouter's app attribution; empty means not sent.
    public var referer = ""
    /// `title`: sent as `X-Title` for OpenRouter's app attribution; empty means not sent.
    public var title = "Neural Terminal"
    /// `default_model`: the model of a conversation that names none.
    public var defaultModel = "openrouter/auto"
    /// `ca_file`: a PEM bundle of CAs to trust for the upstream; empty = the system bundle.
    public var caFile = ""
    /// `models_refresh_minutes`: how often the models catalog (names, prices, context lengths) is refetched.
    public var modelsRefreshMinutes = 360.0
    /// `connect_timeout_seconds`: TCP + TLS connect limit.
    public var connectTimeoutSeconds = 10.0
    /// `first_byte_timeout_seconds`: limit from sending the request to the first response byte.
    public var firstByteTimeoutSeconds = 60.0
    /// `idle_timeout_seconds`: longest silence allowed between streamed chunks.
    public var idleTimeoutSeconds = 60.0
    /// `total_timeout_seconds`: limit on a whole upstream exchange, streaming included.
    public var totalTimeoutSeconds = 600.0
    /// The defaults.
    public init() {}
}

/// `[budget]`: spending limits checked before a request is sent (0 = no such budget).
public struct BudgetConfig: Codable, Sendable, Equatable {
    /// `daily_usd`: most that may be spent per UTC day, in USD; 0 = no daily budget.
    public var dailyUSD = 0.0
    /// `monthly_usd`: most that may be spent per UTC calendar month, in USD; 0 = no monthly budget.
    public var monthlyUSD = 0.0
    /// `per_conversation_usd`: most one conversation may cost in total, in USD; 0 = no per-conversation budget.
    public var perConversationUSD = 0.0
    /// `warn_ratio`: the share of a budget, in (0, 1], from which spend is flagged as a warning.
    public var warnRatio = 0.8
    /// `default_max_tokens`: the `max_tokens` sent (and priced in the worst case) when a request names none;
    /// capped by the model's `max_completion_tokens` when the catalog knows it.
    public var defaultMaxTokens = 4096
    /// The defaults.
    public init() {}
}

/// `[breaker]`: the circuit breaker around the upstream, one per web worker process.
public struct BreakerConfig: Codable, Sendable, Equatable {
    /// `failure_threshold`: consecutive failed upstream attempts that open the breaker.
    public var failureThreshold = 5
    /// `failure_ratio`: share of failed attempts within the window, in (0, 1], that opens the breaker.
    public var failureRatio = 0.5
    /// `window_seconds`: the sliding window for `failure_ratio`.
    public var windowSeconds = 60.0
    /// `min_requests`: attempts within the window before `failure_ratio` is considered.
    public var minRequests = 10
    /// `open_seconds`: how long the breaker stays open before it lets one probe through.
    public var openSeconds = 30.0
    /// The defaults.
    public init() {}
}

/// `[retry]`: retries of a failed upstream request before the first token reached the user.
public struct RetryConfig: Codable, Sendable, Equatable {
    /// `max_attempts`: retries after the first attempt (0 = never retry).
    public var maxAttempts = 2
    /// `base_delay_ms`: the first backoff; it doubles with each retry and is jittered.
    public var baseDelayMs = 250
    /// `max_delay_ms`: ceiling of the backoff, and the longest `Retry-After` honoured.
    public var maxDelayMs = 5000
    /// The defaults.
    public init() {}
}

/// `[limits]`: rate limits and input limits of the web worker; each applies to the next request after a SIGHUP.
public struct LimitsConfig: Codable, Sendable, Equatable {
    /// `api_requests_per_minute`: the sustained rate of `/api` requests per session, token or client IP (a token
    /// bucket); 0 = no limit. Chat turns are counted by the chat bucket instead.
    public var apiRequestsPerMinute = 600
    /// `api_burst`: how many `/api` requests may arrive at once before the rate applies (the bucket's size).
    public var apiBurst = 100
    /// `chat_requests_per_minute`: the sustained rate of requests that start an upstream turn (send, regenerate,
    /// `/api/chat`); they cost money and upstream capacity, hence a bucket of their own. 0 = no limit.
    public var chatRequestsPerMinute = 30
    /// `chat_burst`: how many chat turns may start at once before the rate applies.
    public var chatBurst = 10
    /// `login_max_failures`: consecutive failed logins of one client after which it is locked out; 0 = never
    /// locked out (the growing delay between attempts still applies).
    public var loginMaxFailures = 5
    /// `login_lockout_seconds`: how long a locked-out client must wait before it may try again.
    public var loginLockoutSeconds = 300.0
    /// `message_max_chars`: the longest message (characters) a user may send.
    public var messageMaxChars = 200_000
    /// `title_max_chars`: the longest conversation title (characters).
    public var titleMaxChars = 200
    /// `json_max_depth`: the deepest nesting of arrays and objects a JSON request body may have.
    public var jsonMaxDepth = 32
    /// `page_max_items`: the most conversations one page of `GET /api/conversations` may ask for.
    public var pageMaxItems = 200
    /// The defaults.
    public init() {}
}

/// `[log]`
public struct LogConfig: Codable, Sendable, Equatable {
    /// `level`: one of `LogLevel`'s raw values; use `AppConfig.logLevel` for the enum.
    public var level = "info"
    /// `format`: one of `LogFormatSetting`'s raw values (`auto`, `json`, `text`); use `AppConfig.logFormat`.
    public var format = "auto"
    /// The defaults.
    public init() {}
}

/// `[supervisor]`
public struct SupervisorConfig: Codable, Sendable, Equatable {
    /// `shutdown_grace_seconds`: how long in-flight streams may finish after SIGTERM before stragglers are ended.
    public var shutdownGraceSeconds = 10.0
    /// `run_dir`: control socket and pid files; empty means `<data_dir>/run` (use `AppConfig.resolvedRunDir`).
    public var runDir = ""
    /// `restart_initial_backoff_ms`: delay before the first restart of a dead worker; doubles on each crash.
    public var restartInitialBackoffMs = 100
    /// `restart_max_backoff_ms`: ceiling of the doubling restart delay.
    public var restartMaxBackoffMs = 30_000
    /// `healthy_after_seconds`: uptime after which a worker counts as healthy and its backoff resets.
    public var healthyAfterSeconds = 30.0
    /// `crash_loop_max_restarts`: a worker needing more restarts than this within the window is a crash loop; the
    /// supervisor then stops and exits non-zero.
    public var crashLoopMaxRestarts = 5
    /// `crash_loop_window_seconds`: the sliding window for `crash_loop_max_restarts`.
    public var crashLoopWindowSeconds = 60.0
    /// The defaults.
    public init() {}
}

/// `[memory]`
public struct MemoryConfig: Codable, Sendable, Equatable {
    /// `limit_mb`: resident memory per worker above which the watchdog asks for a rolling restart of it.
    public var limitMB = 256
    /// `sample_interval_seconds`: how often the watchdog samples each worker's resident memory.
    public var sampleIntervalSeconds = 5.0
    /// `samples_over_limit`: consecutive samples over the limit before acting (ignores short spikes).
    public var samplesOverLimit = 3
    /// The defaults.
    public init() {}
}

/// `[maintenance]`
public struct MaintenanceConfig: Codable, Sendable, Equatable {
    /// `tick_seconds`: how often the maintenance worker looks for due work (backups, archives).
    public var tickSeconds = 60.0
    /// The defaults.
    public init() {}
}

/// `[backup]`
public struct BackupConfig: Codable, Sendable, Equatable {
    /// `dir`: where backups go; empty means `<data_dir>/backups` (use `AppConfig.resolvedBackupDir`).
    public var dir = ""
    /// `interval_minutes`: a backup is taken when the newest one is older than this; 0 = no scheduled backups.
    public var intervalMinutes = 360.0
    /// `zstd_level`: 1 (fastest) … 19 (smallest).
    public var zstdLevel = 3
    /// `keep_last`: the newest N backups are kept.
    public var keepLast = 7
    /// `keep_daily`: the newest backup of each of the last D days that have one is kept.
    public var keepDaily = 7
    /// `keep_weekly`: the newest backup of each of the last W ISO weeks that have one is kept.
    public var keepWeekly = 4
    /// `keep_monthly`: the newest backup of each of the last M months that have one is kept.
    public var keepMonthly = 12
    /// `min_free_mb`: free space (MiB) that must remain beside a backup after its snapshot is written.
    public var minFreeMB = 64
    /// `restore_max_mb`: the largest database (MiB, as its manifest states) a restore or `backups --deep` will
    /// decompress; a larger one is refused before anything is written.
    public var restoreMaxMB = 16_384
    /// The defaults.
    public init() {}
}

/// `[archive]`: monthly archives of old conversations, written by the maintenance worker.
public struct ArchiveConfig: Codable, Sendable, Equatable {
    /// `after_days`: a conversation whose last activity (its own or any message's `updated_at`) is older than this
    /// many days is written to its month's archive file; 0 = no archiving.
    public var afterDays = 90
    /// `prune`: after its archive file is verified, an archived conversation that has not changed since is deleted
    /// from the database (its spend still counts toward budgets).
    public var prune = false
    /// `dir`: where the monthly files go; empty means `<data_dir>/archives` (use `AppConfig.resolvedArchiveDir`).
    public var dir = ""
    /// The defaults.
    public init() {}
}
