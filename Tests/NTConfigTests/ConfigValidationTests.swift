import NTConfig
import Testing

@Suite("Validation of the configuration file")
struct ConfigValidationTests {
    @Test("every key is read into its field")
    func everyKey() throws {
        let text = """
            [auth]
            mode = "password"
            [server]
            listen = "0.0.0.0:80"
            public_url = "https://chat.example.com/"
            max_body_bytes = 2048
            [metrics]
            listen = "[::]:9100"
            [storage]
            data_dir = "/var/lib/nt"
            [upstream]
            base_url = "http://127.0.0.1:4000/v1"
            referer = "https://example.com"
            title = ""
            connect_timeout_seconds = 1
            first_byte_timeout_seconds = 2.5
            idle_timeout_seconds = 3
            total_timeout_seconds = 3600
            [log]
            level = "debug"
            [supervisor]
            shutdown_grace_seconds = 0.1
            run_dir = "/run/nt"
            restart_initial_backoff_ms = 50
            restart_max_backoff_ms = 50
            healthy_after_seconds = 5
            crash_loop_max_restarts = 1000
            crash_loop_window_seconds = 120
            [memory]
            limit_mb = 64
            sample_interval_seconds = 0.5
            samples_over_limit = 1
            [maintenance]
            tick_seconds = 86400
            """
        let c = try config(text)
        #expect(c.server.listen == "0.0.0.0:80" && c.server.publicURL == "https://chat.example.com/")
        #expect(c.server.maxBodyBytes == 2048 && c.metrics.listen == "[::]:9100" && c.storage.dataDir == "/var/lib/nt")
        #expect(c.upstream.baseURL == "http://127.0.0.1:4000/v1" && c.upstream.referer == "https://example.com")
        #expect(c.upstream.title == "" && c.upstream.connectTimeoutSeconds == 1 && c.upstream.firstByteTimeoutSeconds == 2.5)
        #expect(c.upstream.idleTimeoutSeconds == 3 && c.upstream.totalTimeoutSeconds == 3600 && c.log.level == "debug")
        #expect(c.supervisor.shutdownGraceSeconds == 0.1 && c.supervisor.runDir == "/run/nt")
        #expect(c.supervisor.restartInitialBackoffMs == 50 && c.supervisor.restartMaxBackoffMs == 50)
        #expect(c.supervisor.healthyAfterSeconds == 5 && c.supervisor.crashLoopMaxRestarts == 1000)
        #expect(c.supervisor.crashLoopWindowSeconds == 120 && c.memory.limitMB == 64)
        #expect(c.memory.sampleIntervalSeconds == 0.5 && c.memory.samplesOverLimit == 1 && c.maintenance.tickSeconds == 86400)
    }

    @Test("dotted keys and inline tables are as good as sections")
    func otherSpellings() throws {
        #expect(try config("server.listen = \"127.0.0.1:1\"").server.listen == "127.0.0.1:1")
        #expect(try config("log = { level = \"error\" }").logLevel == .error)
    }

    @Test("values of the wrong type are errors at the key's line", arguments: [
        ("[server]\n\nlisten = 8080", "nt.toml:3: 'server.listen' must be a string, not an integer (put it in quotes)"),
        ("[server]\nmax_body_bytes = \"2048\"", "nt.toml:2: 'server.max_body_bytes' must be an integer, not a string (remove the quotes)"),
        ("[server]\nmax_body_bytes = 2048.0", "nt.toml:2: 'server.max_body_bytes' must be an integer, not a float"),
        ("[memory]\nlimit_mb = true", "nt.toml:2: 'memory.limit_mb' must be an integer, not a boolean"),
        ("[maintenance]\ntick_seconds = [60]", "nt.toml:2: 'maintenance.tick_seconds' must be a number, not an array"),
        ("[log]\nlevel = { x = 1 }", "nt.toml:2: 'log.level' must be a string, not a table"),
        ("server = 1", "nt.toml:1: 'server' must be a table ([server]), not an integer"),
    ])
    func wrongTypes(text: String, expected: String) {
        #expect(configErrors(text) == [expected])
    }

    @Test("values out of range are errors that state the range", arguments: [
        ("[server]\nmax_body_bytes = 1023", "'server.max_body_bytes' must be between 1024 and 67108864 (got 1023)"),
        ("[server]\nmax_body_bytes = 67108865", "'server.max_body_bytes' must be between 1024 and 67108864 (got 67108865)"),
        ("[upstream]\nconnect_timeout_seconds = 0", "'upstream.connect_timeout_seconds' must be greater than 0 and at most 3600 (got 0)"),
        ("[upstream]\ntotal_timeout_seconds = 3600.5", "'upstream.total_timeout_seconds' must be greater than 0 and at most 3600 (got 3600.5)"),
        ("[upstream]\nidle_timeout_seconds = nan", "'upstream.idle_timeout_seconds' must be greater than 0 and at most 3600 (got nan)"),
        ("[supervisor]\nshutdown_grace_seconds = 0.05", "'supervisor.shutdown_grace_seconds' must be between 0.1 and 600 (got 0.05)"),
        ("[supervisor]\nrestart_initial_backoff_ms = 0", "'supervisor.restart_initial_backoff_ms' must be between 1 and 60000 (got 0)"),
        ("[supervisor]\ncrash_loop_max_restarts = 1001", "'supervisor.crash_loop_max_restarts' must be between 1 and 1000 (got 1001)"),
        ("[memory]\nlimit_mb = 15", "'memory.limit_mb' must be between 64 and 65536 (got 15)"),
        ("[maintenance]\ntick_seconds = inf", "'maintenance.tick_seconds' must be between 1 and 86400 (got inf)"),
    ])
    func outOfRange(text: String, expected: String) {
        #expect(configErrors(text) == ["nt.toml:2: " + expected])
    }

    @Test("strings with a format are checked", arguments: [
        ("[server]\nlisten = \"8080\"", "'server.listen' is not a valid listen address: expected host:port, e.g. 127.0.0.1:8080 (got '8080')"),
        ("[metrics]\nlisten = \"example.com:80\"", "'metrics.listen' is not a valid listen address: host must be an IPv4 address, a bracketed IPv6 address or localhost (got 'example.com')"),
        ("[upstream]\nbase_url = \"ftp://x\"", "'upstream.base_url' must be an http or https URL (got 'ftp://x')"),
        ("[upstream]\nbase_url = \"https://\"", "'upstream.base_url' must be an http or https URL with a host (got 'https://')"),
        ("[upstream]\nbase_url = \"\"", "'upstream.base_url' must be an http or https URL, not empty"),
        ("[server]\npublic_url = \"chat.example.com\"", "'server.public_url' must be an http or https URL (got 'chat.example.com')"),
        ("[upstream]\ntitle = \"a\\r\\nX-Evil: 1\"", "'upstream.title' must not contain control characters or line breaks"),
        ("[storage]\ndata_dir = \"\"", "'storage.data_dir' must not be empty"),
        ("[log]\nlevel = \"warn\"", "'log.level' must be one of trace, debug, info, notice, warning, error, critical (got 'warn'); did you mean 'warning'?"),
        ("[log]\nlevel = \"INFO\"", "'log.level' must be one of trace, debug, info, notice, warning, error, critical (got 'INFO'); did you mean 'info'?"),
    ])
    func formats(text: String, expected: String) {
        #expect(configErrors(text) == ["nt.toml:2: " + expected])
    }

    @Test("unknown keys and sections are errors with a did-you-mean", arguments: [
        ("[server]\nlistn = \"x\"", "nt.toml:2: unknown key 'server.listn'; did you mean 'server.listen'?"),
        ("[server]\nmax-body-bytes = 1", "nt.toml:2: unknown key 'server.max-body-bytes'; did you mean 'server.max_body_bytes'?"),
        ("[upstream]\nconnect_timeout = 1", "nt.toml:2: unknown key 'upstream.connect_timeout'; did you mean 'upstream.connect_timeout_seconds'?"),
        ("[server]\ndata_dir = \"x\"", "nt.toml:2: unknown key 'server.data_dir'; did you mean 'storage.data_dir'?"),
        ("listen = \"x\"", "nt.toml:1: unknown key 'listen'; did you mean 'server.listen' or 'metrics.listen'?"),
        ("[sever]\nlisten = \"x\"", "nt.toml:1: unknown section '[sever]'; did you mean '[server]'?"),
        ("[server.tls]\ncert = \"x\"", "nt.toml:1: unknown key 'server.tls'"),
        ("[database]", "nt.toml:1: unknown section '[database]'"),
    ])
    func unknownNames(text: String, expected: String) {
        #expect(configErrors(text) == [expected])
    }

    @Test("all problems are reported at once, in file order")
    func allErrorsCollected() {
        let text = """
            [server]
            max_body_bytes = 1
            listn = "x"
            [upstream]
            idle_timeout_seconds = -1
            [log]
            level = "loud"
            """
        #expect(configErrors(text) == [
            "nt.toml:2: 'server.max_body_bytes' must be between 1024 and 67108864 (got 1)",
            "nt.toml:3: unknown key 'server.listn'; did you mean 'server.listen'?",
            "nt.toml:5: 'upstream.idle_timeout_seconds' must be greater than 0 and at most 3600 (got -1)",
            "nt.toml:7: 'log.level' must be one of trace, debug, info, notice, warning, error, critical (got 'loud')",
        ])
    }

    @Test("syntax errors are reported alone, without schema errors from a half-read file")
    func syntaxFirst() {
        #expect(configErrors("[server]\nlistn = \"x\"\nmax_body_bytes = 12x") == [
            "nt.toml:3: invalid number '12x'",
        ])
    }

    @Test("the maximum restart backoff may not be below the initial one")
    func backoffOrder() {
        #expect(configErrors("[supervisor]\nrestart_initial_backoff_ms = 500\nrestart_max_backoff_ms = 200") == [
            "nt.toml:3: 'supervisor.restart_max_backoff_ms' (200) must be at least 'supervisor.restart_initial_backoff_ms' (500)",
        ])
        #expect(configErrors("[supervisor]\n\nrestart_initial_backoff_ms = 60000") == [
            "nt.toml:3: 'supervisor.restart_max_backoff_ms' (30000) must be at least 'supervisor.restart_initial_backoff_ms' (60000)",
        ])
    }

    @Test("the web and metrics listeners may not share a port")
    func listenerClash() throws {
        #expect(configErrors("[metrics]\nlisten = \"127.0.0.1:8080\"") == [
            "nt.toml:2: 'metrics.listen' (127.0.0.1:8080) and 'server.listen' (127.0.0.1:8080) cannot share a port",
        ])
        #expect(configErrors("[auth]\nmode = \"password\"\n[metrics]\nlisten = \"0.0.0.0:8080\"").count == 1)
        #expect(try config("[server]\nlisten = \"127.0.0.1:0\"\n[metrics]\nlisten = \"127.0.0.1:0\"").metrics.listen == "127.0.0.1:0")
        #expect(try config("[auth]\nmode = \"password\"\n[server]\nlisten = \"10.0.0.1:9090\"").server.listen == "10.0.0.1:9090")
    }
}
