import ArgumentParser
import NTConfig
import NTSystem

/// `neural-terminal healthcheck`: GET the liveness endpoint and exit 0 on 200, 1 otherwise.
///
/// A distroless image has no curl or shell, so the container's HEALTHCHECK runs this.
struct HealthcheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 if the appliance answers /health with 200, else 1 (for container health checks).",
        discussion: """
            Example:
              neural-terminal healthcheck --url http://127.0.0.1:9090/health --timeout 2
            """
    )

    @OptionGroup var options: ConfigOption
    @Option(help: "The URL to check (default: /health on metrics.listen).") var url: String?
    @Option(help: "Seconds to wait for an answer.") var timeout: Double = 3

    func run() async throws {
        let target: String
        if let url {
            target = url
        } else {
            let config = try options.load()
            let address = try ListenAddress(parsing: config.metrics.listen)
            let host = ["0.0.0.0", "::", ""].contains(address.host) ? "127.0.0.1" : address.host
            target = "http://\(host.contains(":") ? "[\(host)]" : host):\(address.port)/health"
        }
        do {
            let status = try HTTPProbe.get(target, timeoutSeconds: timeout)
            guard status == 200 else {
                printError("unhealthy: \(target) answered \(status)")
                throw ExitCode(1)
            }
            print("healthy: \(target)")
        } catch let error as HTTPProbe.ProbeError {
            printError("unhealthy: \(error)")
            throw ExitCode(1)
        }
    }
}
