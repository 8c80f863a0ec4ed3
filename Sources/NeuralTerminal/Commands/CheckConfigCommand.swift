import ArgumentParser
import NTConfig

/// `neural-terminal check-config`: validate a config file without starting anything.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the config file; print every error as file:line: message (exit 78 on error).",
        discussion: """
            Also checks the secrets without printing them: the upstream API key's shape (OpenRouter's is \
            sk-or-v1- and 64 hex digits), the permissions of the key and token files, and a metrics listener \
            reachable from other hosts without metrics.bearer_token_file. Those are warnings on stderr (exit 0).

            Example:
              neural-terminal check-config --config /etc/neural-terminal/neural-terminal.toml
            """
    )

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try options.load()
        for warning in ConfigAdvice.warnings(for: config, environment: options.environment) {
            printError("warning: \(warning)")
        }
        let key = config.upstreamAPIKey.map { "api key \(APIKeyFormat.fingerprint(of: $0))" } ?? "no api key"
        let token = config.metricsBearerToken == nil ? "/metrics open" : "/metrics needs a bearer token"
        print("\(options.path): ok (web \(config.server.listen), metrics \(config.metrics.listen), data \(config.storage.dataDir), \(key), \(token))")
    }
}
