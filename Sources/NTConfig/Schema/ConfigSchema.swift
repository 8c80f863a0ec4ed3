/// The table of every configuration key: TOML name, Swift field, type, range and SIGHUP effect.
///
/// docs/configuration.md and etc/neural-terminal.toml describe the same keys; tests check that each key
/// appears in both and that the shipped file parses to `AppConfig()`.
public enum ConfigSchema {
    /// Every key as `section.key`, in documentation order.
    public static var keyPaths: [String] { keys.map(\.path) }

    /// Section names, in documentation order.
    public static var sections: [String] {
        keys.reduce(into: [String]()) { if !$0.contains($1.section) { $0.append($1.section) } }
    }

    /// What a SIGHUP must do to apply a change of `keyPath` (`"server.listen"`); nil for an unknown key.
    public static func reloadEffect(of keyPath: String) -> ReloadEffect? {
        if keyPath == "upstream.api_key" || keyPath == "metrics.bearer_token" { return apiKeyEffect }
        return keys.first { $0.path == keyPath }?.effect
    }

    /// The environment variable that overrides `keyPath`, e.g. `NEURAL_TERMINAL_SERVER_LISTEN`.
    public static func environmentVariable(for keyPath: String) -> String? {
        keys.first { $0.path == keyPath }?.environmentName
    }

    /// A rotated API key (a new key file; `OPENROUTER_API_KEY` cannot change without a restart) or metrics token
    /// goes to the workers with the rest of the new configuration.
    static let apiKeyEffect = ReloadEffect.inPlace

    static func key(section: String, name: String) -> ConfigKey? {
        keys.first { $0.section == section && $0.name == name }
    }

    static let keys: [ConfigKey] = {
        // Workers receive a reloaded configuration over IPC and read it at the point of use, so most keys apply
        // in place. A changed listen address is bound anew and handed to a fresh worker; directories are fixed.
        let upstreamTimeout = 0.0...3600.0
        return [
            .string("server", "listen", \.server.listen, .restartWorkers([.web]), check: ConfigChecks.listenAddress),
            .string("server", "public_url", \.server.publicURL, .inPlace, check: ConfigChecks.httpURL(allowEmpty: true)),
            .integer("server", "max_body_bytes", \.server.maxBodyBytes, .inPlace, range: 1024...67_108_864),
            .string("server", "trusted_proxies", \.server.trustedProxies, .inPlace, check: ConfigChecks.addressList),

            .string("auth", "mode", \.auth.mode, .inPlace, check: ConfigChecks.authMode),
            .string("auth", "password_hash", \.auth.passwordHash, .inPlace, check: ConfigChecks.passwordHash),
            .float("auth", "session_idle_minutes", \.auth.sessionIdleMinutes, .inPlace, range: 1...525_600),
            .float("auth", "session_max_hours", \.auth.sessionMaxHours, .inPlace, range: 0...8784, aboveZero: true),
            .string("auth", "proxy_user_header", \.auth.proxyUserHeader, .inPlace, check: ConfigChecks.headerName),
            .boolean("auth", "proxy_create_accounts", \.auth.proxyCreateAccounts, .inPlace),

            .string("metrics", "listen", \.metrics.listen, .restartWorkers([.metrics]), check: ConfigChecks.listenAddress),
            .string("metrics", "bearer_token_file", \.metrics.bearerTokenFile, .inPlace, check: ConfigChecks.optionalPath),

            .string("storage", "data_dir", \.storage.dataDir, .restartAppliance, check: ConfigChecks.requiredPath),
            .string("storage", "url", \.storage.url, .restartAppliance, check: ConfigChecks.storageURL),
            .string("storage", "password_file", \.storage.passwordFile, .restartAppliance, check: ConfigChecks.optionalPath),
            .string("instance", "name", \.instance.name, .restartAppliance, check: ConfigChecks.instanceName),

            .string("upstream", "base_url", \.upstream.baseURL, .inPlace, check: ConfigChecks.httpURL(allowEmpty: false)),
            .string("upstream", "api_key_file", \.upstream.apiKeyFile, .inPlace, check: ConfigChecks.optionalPath),
            .string("upstream", "referer", \.upstream.referer, .inPlace, check: ConfigChecks.headerValue),
            .string("upstream", "title", \.upstream.title, .inPlace, check: ConfigChecks.headerValue),
            .string("upstream", "default_model", \.upstream.defaultModel, .inPlace, check: ConfigChecks.headerValue),
            .string("upstream", "ca_file", \.upstream.caFile, .inPlace, check: ConfigChecks.optionalPath),
            .float("upstream", "models_refresh_minutes", \.upstream.modelsRefreshMinutes, .inPlace, range: 1...10_080),
            .float("upstream", "connect_timeout_seconds", \.upstream.connectTimeoutSeconds, .inPlace,
                   range: upstreamTimeout, aboveZero: true),
            .float("upstream", "first_byte_timeout_seconds", \.upstream.firstByteTimeoutSeconds, .inPlace,
                   range: upstreamTimeout, aboveZero: true),
            .float("upstream", "idle_timeout_seconds", \.upstream.idleTimeoutSeconds, .inPlace,
                   range: upstreamTimeout, aboveZero: true),
            .float("upstream", "total_timeout_seconds", \.upstream.totalTimeoutSeconds, .inPlace,
                   range: upstreamTimeout, aboveZero: true),

            .float("budget", "daily_usd", \.budget.dailyUSD, .inPlace, range: 0...1_000_000),
            .float("budget", "monthly_usd", \.budget.monthlyUSD, .inPlace, range: 0...10_000_000),
            .float("budget", "per_conversation_usd", \.budget.perConversationUSD, .inPlace, range: 0...1_000_000),
            .float("budget", "warn_ratio", \.budget.warnRatio, .inPlace, range: 0...1, aboveZero: true),
            .integer("budget", "default_max_tokens", \.budget.defaultMaxTokens, .inPlace, range: 1...1_000_000),
            .integer("breaker", "failure_threshold", \.breaker.failureThreshold, .inPlace, range: 1...1000),
            .float("breaker", "failure_ratio", \.breaker.failureRatio, .inPlace, range: 0...1, aboveZero: true),
            .float("breaker", "window_seconds", \.breaker.windowSeconds, .inPlace, range: 1...86_400),
            .integer("breaker", "min_requests", \.breaker.minRequests, .inPlace, range: 1...100_000),
            .float("breaker", "open_seconds", \.breaker.openSeconds, .inPlace, range: 0...3600, aboveZero: true),
            .integer("retry", "max_attempts", \.retry.maxAttempts, .inPlace, range: 0...10),
            .integer("retry", "base_delay_ms", \.retry.baseDelayMs, .inPlace, range: 1...60_000),
            .integer("retry", "max_delay_ms", \.retry.maxDelayMs, .inPlace, range: 1...600_000),

            .integer("limits", "api_requests_per_minute", \.limits.apiRequestsPerMinute, .inPlace, range: 0...1_000_000),
            .integer("limits", "api_burst", \.limits.apiBurst, .inPlace, range: 1...100_000),
            .integer("limits", "chat_requests_per_minute", \.limits.chatRequestsPerMinute, .inPlace, range: 0...100_000),
            .integer("limits", "chat_burst", \.limits.chatBurst, .inPlace, range: 1...10_000),
            .integer("limits", "login_max_failures", \.limits.loginMaxFailures, .inPlace, range: 0...1000),
            .float("limits", "login_lockout_seconds", \.limits.loginLockoutSeconds, .inPlace, range: 1...86_400),
            .integer("limits", "message_max_chars", \.limits.messageMaxChars, .inPlace, range: 1...10_000_000),
            .integer("limits", "title_max_chars", \.limits.titleMaxChars, .inPlace, range: 1...10_000),
            .integer("limits", "json_max_depth", \.limits.jsonMaxDepth, .inPlace, range: 1...512),
            .integer("limits", "page_max_items", \.limits.pageMaxItems, .inPlace, range: 1...10_000),

            .string("log", "level", \.log.level, .inPlace, check: ConfigChecks.logLevel),
            // Chosen once by the supervisor, which runs with NEURAL_TERMINAL_LOG_FORMAT set to its choice, so the
            // workers inherit it and a SIGHUP reads the same value again.
            .string("log", "format", \.log.format, .restartAppliance, check: ConfigChecks.logFormat),

            .float("supervisor", "shutdown_grace_seconds", \.supervisor.shutdownGraceSeconds, .inPlace, range: 0.1...600),
            .string("supervisor", "run_dir", \.supervisor.runDir, .restartAppliance, check: ConfigChecks.optionalPath),
            .integer("supervisor", "restart_initial_backoff_ms", \.supervisor.restartInitialBackoffMs, .inPlace,
                     range: 1...60_000),
            .integer("supervisor", "restart_max_backoff_ms", \.supervisor.restartMaxBackoffMs, .inPlace,
                     range: 1...3_600_000),
            .float("supervisor", "healthy_after_seconds", \.supervisor.healthyAfterSeconds, .inPlace,
                   range: 0...3600, aboveZero: true),
            .integer("supervisor", "crash_loop_max_restarts", \.supervisor.crashLoopMaxRestarts, .inPlace,
                     range: 1...1000),
            .float("supervisor", "crash_loop_window_seconds", \.supervisor.crashLoopWindowSeconds, .inPlace,
                   range: 1...86_400),

            .integer("memory", "limit_mb", \.memory.limitMB, .inPlace, range: 64...65_536),
            .float("memory", "sample_interval_seconds", \.memory.sampleIntervalSeconds, .inPlace, range: 0.1...3600),
            .integer("memory", "samples_over_limit", \.memory.samplesOverLimit, .inPlace, range: 1...1000),

            .float("maintenance", "tick_seconds", \.maintenance.tickSeconds, .inPlace, range: 1...86_400),

            .string("backup", "dir", \.backup.dir, .inPlace, check: ConfigChecks.optionalPath),
            .float("backup", "interval_minutes", \.backup.intervalMinutes, .inPlace, range: 0...525_600),
            .integer("backup", "zstd_level", \.backup.zstdLevel, .inPlace, range: 1...19),
            .integer("backup", "keep_last", \.backup.keepLast, .inPlace, range: 0...100_000),
            .integer("backup", "keep_daily", \.backup.keepDaily, .inPlace, range: 0...100_000),
            .integer("backup", "keep_weekly", \.backup.keepWeekly, .inPlace, range: 0...100_000),
            .integer("backup", "keep_monthly", \.backup.keepMonthly, .inPlace, range: 0...100_000),
            .integer("backup", "min_free_mb", \.backup.minFreeMB, .inPlace, range: 0...1_048_576),
            .integer("backup", "restore_max_mb", \.backup.restoreMaxMB, .inPlace, range: 1...16_777_216),

            .integer("archive", "after_days", \.archive.afterDays, .inPlace, range: 0...36_500),
            .boolean("archive", "prune", \.archive.prune, .inPlace),
            .string("archive", "dir", \.archive.dir, .inPlace, check: ConfigChecks.optionalPath),
        ]
    }()
}
