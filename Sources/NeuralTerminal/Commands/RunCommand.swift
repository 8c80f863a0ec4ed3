import ArgumentParser
import Logging
import NTConfig
import NTLog
import NTWorkerKit
import Supervisor

/// `neural-terminal run`: the supervisor, which starts and watches the three workers.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start the appliance: a supervisor with the web, metrics and maintenance workers.",
        discussion: """
            Signals: SIGTERM/SIGINT stop gracefully within supervisor.shutdown_grace_seconds; SIGHUP reloads \
            the config (a bad file is refused and the running config kept). Logs go to stdout, one line per \
            event: readable text on a terminal, JSON otherwise (log.format).

            Example:
              neural-terminal run --config /etc/neural-terminal/neural-terminal.toml
            """
    )

    @OptionGroup var options: ConfigOption

    func run() async throws {
        var config = try options.load()
        // The log format is chosen here, once, and recorded where the workers and every reload read it.
        let format = LogFormatChoice.format(config.logFormat)
        config.log.format = format.rawValue
        var environment = options.environment
        environment[LogFormatChoice.environmentVariable] = format.rawValue
        NTLogging.bootstrap(
            worker: "supervisor", level: LogLevelParsing.level(config.log.level), secrets: config.secrets, format: format
        )
        var logger = Logger(label: "neural-terminal.supervisor")
        logger.logLevel = LogLevelParsing.level(config.log.level)
        for warning in ConfigAdvice.warnings(for: config, environment: options.environment) {
            logger.warning("configuration: \(warning)")
        }
        let supervisor = Supervisor(config: config, configPath: options.path, environment: environment, logger: logger)
        let code = await supervisor.run()
        if code != 0 { throw ExitCode(code) }
    }
}

/// `neural-terminal worker <role>`: how the supervisor starts a worker. Not for people.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run one worker (started by the supervisor).",
        shouldDisplay: false
    )

    @Argument(help: "web, metrics or maintenance")
    var role: String

    func run() async throws {
        guard let role = WorkerRole(rawValue: role) else {
            throw ValidationError("unknown worker role '\(role)'")
        }
        do {
            try await WorkerLauncher.run(role)
        } catch is WorkerStartFailure {
            throw ExitCode.failure
        }
    }
}
