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

    public init(
        role: WorkerRole, config: ConfigStore, logger: Logger, metrics: MetricsRegistry,
        runDirectory: RunDirectory, readiness: ReadinessFlag, supervisorPID: Int32
    ) {
        self.role = role
        self.config = config
        self.logger = logger
        self.metrics = metrics
        self.runDirectory = runDirectory
        self.readiness = readiness
        self.supervisorPID = supervisorPID
    }
}
