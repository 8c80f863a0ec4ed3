#if canImport(Glibc)
import Glibc
#endif
import NTConfig
import Testing

/// The upstream key's shape checks, the metrics bearer token file, and the warnings `check-config` prints.
@Suite("Secrets in the configuration")
struct SecretsConfigTests {
    static let goodKey = "sk-or-v1-" + String(repeating: "0123456789abcdef", count: 4)

    @Test("OpenRouter's shape is sk-or-v1- and exactly 64 hex digits")
    func openRouterShape() {
        #expect(APIKeyFormat.hasOpenRouterShape(Self.goodKey))
        #expect(APIKeyFormat.hasOpenRouterShape("sk-or-v1-" + String(repeating: "ABCDEF0123456789", count: 4)))
        #expect(!APIKeyFormat.hasOpenRouterShape(String(Self.goodKey.dropLast())))
        #expect(!APIKeyFormat.hasOpenRouterShape(Self.goodKey + "0"))
        #expect(!APIKeyFormat.hasOpenRouterShape("sk-or-v1-" + String(repeating: "g", count: 64)))
        #expect(!APIKeyFormat.hasOpenRouterShape("sk-" + String(repeating: "a", count: 64)))
    }

    @Test("whitespace and control characters are refused; odd shapes are not")
    func refusals() {
        #expect(APIKeyFormat.refusal(of: Self.goodKey) == nil)
        #expect(APIKeyFormat.refusal(of: "sk-anything-else") == nil)
        #expect(APIKeyFormat.refusal(of: "sk-or-v1-abc def") == "must not contain whitespace or control characters")
        #expect(APIKeyFormat.refusal(of: "sk-or-v1-abc\tdef") == "must not contain whitespace or control characters")
        #expect(APIKeyFormat.refusal(of: "sk-or-v1-abc\u{7F}") == "must not contain whitespace or control characters")
        #expect(APIKeyFormat.refusal(of: "sk-or\r\nX-Evil: 1") == "must be on a single line")
        #expect(APIKeyFormat.refusal(of: "sk-or-v1-é") == "must be ASCII")
    }

    @Test("the shape warning applies to OpenRouter's base URL only and shows at most 8 characters")
    func shapeWarning() throws {
        let odd = "sk-or-v1-SECRETSECRETSECRET"
        let warning = try #require(APIKeyFormat.shapeWarning(key: odd, baseURL: "https://openrouter.ai/api/v1"))
        #expect(warning.contains("'sk-or-v1…', 27 characters"))
        #expect(!warning.contains("SECRET"))
        #expect(APIKeyFormat.shapeWarning(key: odd, baseURL: "http://127.0.0.1:11434/v1") == nil)
        #expect(APIKeyFormat.shapeWarning(key: Self.goodKey, baseURL: "https://openrouter.ai/api/v1") == nil)
        #expect(APIKeyFormat.isOpenRouter("https://eu.OpenRouter.ai:443/api/v1"))
        #expect(!APIKeyFormat.isOpenRouter("https://openrouter.ai.evil.example/api/v1"))
        #expect(!APIKeyFormat.isOpenRouter("https://user@evil.example/openrouter.ai"))
        #expect(APIKeyFormat.fingerprint(of: "short") == "5 characters")
    }

    @Test("a key from the environment with whitespace inside is a config error that does not show the key")
    func environmentKeyRefused() {
        let errors = configErrors("", environment: ["OPENROUTER_API_KEY": "sk-or-v1-abc SECRET"])
        #expect(errors == ["environment OPENROUTER_API_KEY: the API key must not contain whitespace or control characters"])
    }

    @Test("a key file with a space inside is refused without printing its content")
    func keyFileRefused() {
        let path = temporaryFile("sk-or-v1-abc SECRET\n")
        defer { removeFile(path) }
        let errors = configErrors("[upstream]\napi_key_file = \"\(path)\"")
        #expect(errors == ["nt.toml:2: 'upstream.api_key_file': '\(path)' holds a key that must not contain whitespace or control characters"])
    }

    @Test("metrics.bearer_token_file is read and trimmed at load; empty means /metrics is open")
    func bearerToken() throws {
        #expect(try config("").metricsBearerToken == nil)
        let path = temporaryFile("  0123456789abcdef0123456789abcdef\n")
        defer { removeFile(path) }
        let loaded = try config("[metrics]\nbearer_token_file = \"\(path)\"")
        #expect(loaded.metricsBearerToken == "0123456789abcdef0123456789abcdef")
        let viaEnvironment = try config("", environment: ["NEURAL_TERMINAL_METRICS_BEARER_TOKEN_FILE": path])
        #expect(viaEnvironment.metricsBearerToken == "0123456789abcdef0123456789abcdef")
    }

    @Test("an unreadable, empty, short or spaced token file is an error naming the file, never its content")
    func badTokenFiles() {
        #expect(configErrors("[metrics]\nbearer_token_file = \"/nonexistent/token\"") == [
            "nt.toml:2: 'metrics.bearer_token_file': cannot read '/nonexistent/token': No such file or directory",
        ])
        let empty = temporaryFile(" \n")
        let short = temporaryFile("SECRET-short\n")
        let spaced = temporaryFile("SECRET0123456789 abcdef\n")
        defer { [empty, short, spaced].forEach(removeFile) }
        #expect(configErrors("[metrics]\nbearer_token_file = \"\(empty)\"") == [
            "nt.toml:2: 'metrics.bearer_token_file': '\(empty)' is empty",
        ])
        let shortErrors = configErrors("[metrics]\nbearer_token_file = \"\(short)\"")
        #expect(shortErrors.count == 1 && shortErrors[0].contains("is too short (12 characters; at least 16"))
        let spacedErrors = configErrors("[metrics]\nbearer_token_file = \"\(spaced)\"")
        #expect(spacedErrors.count == 1 && spacedErrors[0].contains("printable ASCII without spaces"))
        #expect(!(shortErrors + spacedErrors).joined().contains("SECRET"))
    }

    @Test("a rotated metrics token applies in place")
    func rotatedToken() {
        var new = AppConfig()
        new.metricsBearerToken = "0123456789abcdef0123"
        let plan = new.reloadPlan(from: AppConfig())
        #expect(plan.changedKeys == ["metrics.bearer_token"])
        #expect(plan.workersToRestart.isEmpty)
        #expect(ConfigSchema.reloadEffect(of: "metrics.bearer_token_file") == .inPlace)
    }

    @Test("warnings: open metrics on a non-loopback address, odd key shape, secret files others can read")
    func advice() throws {
        var open = try config("[auth]\nmode = \"password\"\n[metrics]\nlisten = \"0.0.0.0:9090\"")
        let warnings = ConfigAdvice.warnings(for: open, environment: [:])
        #expect(warnings.count == 1 && warnings[0].contains("metrics.listen (0.0.0.0:9090) is not a loopback address"))
        open.metricsBearerToken = "0123456789abcdef0123"
        #expect(ConfigAdvice.warnings(for: open, environment: [:]).isEmpty)
        #expect(ConfigAdvice.warnings(for: AppConfig(), environment: [:]).isEmpty)

        let path = temporaryFile("sk-or-v1-tooshort-SECRET\n")
        defer { removeFile(path) }
        chmod(path, 0o644)
        let keyed = try config("[upstream]\napi_key_file = \"\(path)\"")
        let keyWarnings = ConfigAdvice.warnings(for: keyed, environment: [:])
        #expect(keyWarnings.count == 2)
        #expect(keyWarnings.first?.contains("does not look like an OpenRouter key") == true)
        #expect(keyWarnings.last?.contains("(mode 0644)") == true)
        #expect(!keyWarnings.joined().contains("SECRET"))
        chmod(path, 0o600)
        #expect(ConfigAdvice.warnings(for: keyed, environment: [:]).count == 1)
        chmod(path, 0o644)
        let fromEnvironment = try config("[upstream]\napi_key_file = \"\(path)\"", environment: ["OPENROUTER_API_KEY": Self.goodKey])
        #expect(ConfigAdvice.warnings(for: fromEnvironment, environment: ["OPENROUTER_API_KEY": Self.goodKey]).isEmpty)
    }

    @Test("warnings: a data folder the group or others can enter, and none once it is private")
    func openDataFolder() throws {
        var template = Array("/tmp/ntconfig-data-XXXXXX".utf8CString)
        let made = mkdtemp(&template)
        let dir = String(cString: try #require(made))
        defer { rmdir(dir) }
        let configured = try config("[storage]\ndata_dir = \"\(dir)\"")
        chmod(dir, 0o755)
        let warnings = ConfigAdvice.warnings(for: configured, environment: [:])
        #expect(warnings.count == 1 && warnings[0].contains("storage.data_dir '\(dir)'") && warnings[0].contains("(mode 0755)"))
        chmod(dir, 0o700)
        #expect(ConfigAdvice.warnings(for: configured, environment: [:]).isEmpty)
    }
}
