import FoundationEssentials
import Logging
import NTConfig
import NTIPC
import NTLog
import NTMetrics
import NTSystem
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// The life of a worker process, the same for every role.
///
/// Reads the resolved config from fd 4, asks for SIGTERM if the supervisor dies, sets up logging (in the format
/// the supervisor chose, see `LogFormatChoice`) and metrics, serves the private IPC socket (`ping`, `metrics`,
/// `reload`), then runs the role's services until SIGTERM, when they shut down gracefully. SIGINT is ignored:
/// only the supervisor decides when workers stop.
public enum WorkerRuntime {
    /// Builds the services of a role; called once, after logging and metrics are ready.
    public typealias ServiceFactory = @Sendable (WorkerContext) async throws -> [any Service]

    public static func run(role: WorkerRole, makeServices: ServiceFactory) async throws {
        let supervisorPID = Int32(ProcessInfo.processInfo.environment[WorkerEnvironment.supervisorPID] ?? "") ?? getppid()
        ChildReaper.dieWithParent(signal: SIGTERM, expectedParent: supervisorPID)
        signal(SIGINT, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)

        let config = try readConfig()
        NTLogging.bootstrap(
            worker: role.rawValue, level: LogLevelParsing.level(config.log.level), secrets: config.secrets,
            format: LogFormatChoice.format(config.logFormat)
        )
        var logger = Logger(label: "neural-terminal.\(role.rawValue)")
        logger.logLevel = LogLevelParsing.level(config.log.level)
        let store = ConfigStore(config)
        let context = WorkerContext(
            role: role, config: store, logger: logger, metrics: MetricsRegistry.bootstrap(),
            runDirectory: RunDirectory(path: config.resolvedRunDir), readiness: ReadinessFlag(),
            supervisorPID: supervisorPID
        )
        store.observe { new in
            LogLevelControl.shared.level = LogLevelParsing.level(new.log.level)
            NTLogging.setSecrets(new.secrets)
        }

        let ipc = IPCServer(path: context.runDirectory.workerSocket(role: role, pid: getpid()), logger: logger) { command, argument in
            await answer(command: command, argument: argument, context: context)
        }
        let ipcTask = Task { try await ipc.run() }
        defer { ipcTask.cancel() }

        let services: [any Service]
        do {
            services = try await makeServices(context)
        } catch {
            // A JSON line like every other (not ArgumentParser's plain `Error: …`), so a log pipeline or `jq` reads
            // the cause of a worker that cannot start, and the supervisor's crash-loop line after it.
            logger.critical("worker cannot start", metadata: ["role": "\(role.rawValue)", "error": "\(error)"])
            throw WorkerStartFailure()
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm],
                cancellationSignals: [],
                logger: logger
            )
        )
        logger.info("worker started", metadata: ["role": "\(role.rawValue)"])
        do {
            try await group.run()
        } catch {
            // A service's failure describes the whole service value (router, middleware chain): the first part
            // names the cause.
            logger.critical("worker failed", metadata: ["role": "\(role.rawValue)", "error": "\(String(describing: error).prefix(400))"])
            throw WorkerStartFailure()
        }
        logger.info("worker stopped")
    }

    /// The IPC vocabulary every worker understands.
    static func answer(command: String, argument: String, context: WorkerContext) async -> String {
        switch command {
        case "ping":
            return context.readiness.isReady ? "ready" : "starting"
        case "metrics":
            return await context.metrics.collect()
        case "reload":
            do {
                let config = try JSONDecoder().decode(AppConfig.self, from: Data(argument.utf8))
                context.config.replace(with: config)
                context.logger.info("configuration reloaded in place")
                return "ok"
            } catch {
                context.logger.error("reload refused: undecodable config", metadata: ["error": "\(error)"])
                return "error: \(error)"
            }
        default:
            if let handler = context.commands.handler(for: command) { return await handler(argument) }
            return "error: unknown command '\(command)'"
        }
    }

    private static func readConfig() throws -> AppConfig {
        let bytes = try FileDescriptorIO.readAll(WorkerEnvironment.configFD)
        close(WorkerEnvironment.configFD)
        return try JSONDecoder().decode(AppConfig.self, from: Data(bytes))
    }
}

extension AppConfig {
    /// Strings that must never appear in a log line of this process: the upstream API key, the metrics token and
    /// the database password.
    public var secrets: [String] {
        [upstreamAPIKey, metricsBearerToken, databasePassword].compactMap { $0 }.filter { !$0.isEmpty }
    }
}

/// Maps the config's level names to swift-log's.
public enum LogLevelParsing {
    public static func level(_ name: String) -> Logger.Level {
        Logger.Level(rawValue: name.lowercased()) ?? .info
    }
}

/// A worker that could not start or run, its cause already logged as a JSON line: the command exits 1 without
/// printing anything more.
public struct WorkerStartFailure: Error, Sendable {}
