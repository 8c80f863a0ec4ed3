import Logging
import NTConfig
import NTMetrics

/// What every worker is handed by ``WorkerRuntime``: its role, config, logger, metrics and neighbours.
public struct WorkerContext: Sendable {
    public let role: WorkerRole
    public let config: ConfigStore
    public let logger: Logger
    public let metrics: MetricsRegistry
    public let runDirectory: RunDirectory
    public let readiness: ReadinessFlag
    /// The pid of the supervisor that started this worker.
    public let supervisorPID: Int32
    /// Commands this role answers on its private socket beyond the shared ones.
    public let commands: WorkerCommands

    public init(
        role: WorkerRole, config: ConfigStore, logger: Logger, metrics: MetricsRegistry,
        runDirectory: RunDirectory, readiness: ReadinessFlag, supervisorPID: Int32,
        commands: WorkerCommands = WorkerCommands()
    ) {
        self.role = role
        self.config = config
        self.logger = logger
        self.metrics = metrics
        self.runDirectory = runDirectory
        self.readiness = readiness
        self.supervisorPID = supervisorPID
        self.commands = commands
    }
}
