import NTConfig
import Testing

@Suite("Environment overrides and the API key")
struct ConfigEnvironmentTests {
    @Test("NEURAL_TERMINAL_<SECTION>_<KEY> overrides the file, for every type")
    func overrides() throws {
        let c = try config("[auth]\nmode = \"password\"\n[server]\nlisten = \"127.0.0.1:1\"", environment: [
            "NEURAL_TERMINAL_SERVER_LISTEN": "0.0.0.0:8080",
            "NEURAL_TERMINAL_SERVER_MAX_BODY_BYTES": "4096",
            "NEURAL_TERMINAL_UPSTREAM_IDLE_TIMEOUT_SECONDS": "2.5",
            "NEURAL_TERMINAL_LOG_LEVEL": "trace",
        ])
        #expect(c.server.listen == "0.0.0.0:8080")
        #expect(c.server.maxBodyBytes == 4096)
        #expect(c.upstream.idleTimeoutSeconds == 2.5)
        #expect(c.logLevel == .trace)
    }

    @Test("every key has its environment variable")
    func variableNames() {
        #expect(ConfigSchema.environmentVariable(for: "server.listen") == "NEURAL_TERMINAL_SERVER_LISTEN")
        #expect(ConfigSchema.environmentVariable(for: "supervisor.restart_max_backoff_ms")
            == "NEURAL_TERMINAL_SUPERVISOR_RESTART_MAX_BACKOFF_MS")
        #expect(ConfigSchema.keyPaths.allSatisfy { ConfigSchema.environmentVariable(for: $0) != nil })
    }

    @Test("a bad override is reported by variable name, not file:line")
    func badOverride() {
        #expect(configErrors("", environment: ["NEURAL_TERMINAL_SERVER_MAX_BODY_BYTES": "lots"]) == [
            "environment NEURAL_TERMINAL_SERVER_MAX_BODY_BYTES: 'server.max_body_bytes' must be an integer (got 'lots')",
        ])
        #expect(configErrors("", environment: ["NEURAL_TERMINAL_MEMORY_LIMIT_MB": "8"]) == [
            "environment NEURAL_TERMINAL_MEMORY_LIMIT_MB: 'memory.limit_mb' must be between 64 and 65536 (got 8)",
        ])
        #expect(configErrors("", environment: ["NEURAL_TERMINAL_SERVER_LISTEN": ":80"]) == [
            "environment NEURAL_TERMINAL_SERVER_LISTEN: 'server.listen' is not a valid listen address: missing host; use 0.0.0.0:80 for all interfaces or 127.0.0.1:80 for this machine only",
        ])
    }

    @Test("an override replaces a bad value in the file, but the file's own errors still count")
    func fileAndOverride() {
        let errors = configErrors("[memory]\nlimit_mb = 1", environment: ["NEURAL_TERMINAL_MEMORY_LIMIT_MB": "64"])
        #expect(errors == ["nt.toml:2: 'memory.limit_mb' must be between 64 and 65536 (got 1)"])
    }

    @Test("a near miss of a key's variable is an error with a did-you-mean; other variables are ignored")
    func unknownVariables() {
        #expect(configErrors("", environment: ["NEURAL_TERMINAL_SERVER_LISTN": "x"]) == [
            "environment NEURAL_TERMINAL_SERVER_LISTN: unknown setting; did you mean 'NEURAL_TERMINAL_SERVER_LISTEN'?",
        ])
        #expect(configErrors("", environment: ["NEURAL_TERMINAL_UPSTREAM_CONNECT_TIMEOUT": "1"]) == [
            "environment NEURAL_TERMINAL_UPSTREAM_CONNECT_TIMEOUT: unknown setting; did you mean 'NEURAL_TERMINAL_UPSTREAM_CONNECT_TIMEOUT_SECONDS'?",
        ])
        #expect(configErrors("", environment: [
            "NEURAL_TERMINAL_CONFIG": "/etc/nt.toml", "NEURAL_TERMINAL_ROLE": "web", "NEURAL_TERMINAL_FAULT": "leak:web:1",
            "PATH": "/bin",
        ]) == [])
    }

    @Test("a cross-key problem caused by an override names the variable")
    func relationFromEnvironment() {
        #expect(configErrors("", environment: ["NEURAL_TERMINAL_SUPERVISOR_RESTART_MAX_BACKOFF_MS": "10",
                                               "NEURAL_TERMINAL_SUPERVISOR_RESTART_INITIAL_BACKOFF_MS": "20"]) == [
            "environment NEURAL_TERMINAL_SUPERVISOR_RESTART_MAX_BACKOFF_MS: 'supervisor.restart_max_backoff_ms' (10) must be at least 'supervisor.restart_initial_backoff_ms' (20)",
        ])
    }

    @Test("OPENROUTER_API_KEY wins over the key file, which is then not read")
    func environmentKeyWins() throws {
        let text = "[upstream]\napi_key_file = \"/nonexistent/key\""
        #expect(try config(text, environment: ["OPENROUTER_API_KEY": "sk-env"]).upstreamAPIKey == "sk-env")
    }

    @Test("the key file is read and trimmed of whitespace and newlines")
    func keyFile() throws {
        let path = temporaryFile("  sk-or-v1-abc \n\n")
        defer { removeFile(path) }
        let c = try config("[upstream]\napi_key_file = \"\(path)\"", environment: ["OPENROUTER_API_KEY": ""])
        #expect(c.upstreamAPIKey == "sk-or-v1-abc")
    }

    @Test("without a key file or variable there is no key")
    func noKey() throws {
        #expect(try config("").upstreamAPIKey == nil)
    }

    @Test("a missing key file is an error at the key's line")
    func missingKeyFile() {
        #expect(configErrors("[upstream]\n\napi_key_file = \"/nonexistent/key\"") == [
            "nt.toml:3: 'upstream.api_key_file': cannot read '/nonexistent/key': No such file or directory",
        ])
        #expect(configErrors("", environment: ["NEURAL_TERMINAL_UPSTREAM_API_KEY_FILE": "/nonexistent/key"]) == [
            "environment NEURAL_TERMINAL_UPSTREAM_API_KEY_FILE: 'upstream.api_key_file': cannot read '/nonexistent/key': No such file or directory",
        ])
    }

    @Test("an empty or multi-line key file is an error")
    func unusableKeyFile() {
        let empty = temporaryFile(" \n")
        defer { removeFile(empty) }
        #expect(configErrors("[upstream]\napi_key_file = \"\(empty)\"") == [
            "nt.toml:2: 'upstream.api_key_file': '\(empty)' is empty",
        ])
        let twoLines = temporaryFile("sk-one\nsk-two\n")
        defer { removeFile(twoLines) }
        #expect(configErrors("[upstream]\napi_key_file = \"\(twoLines)\"") == [
            "nt.toml:2: 'upstream.api_key_file': '\(twoLines)' must hold the key on a single line",
        ])
    }
}
