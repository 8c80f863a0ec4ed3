import Logging
import NTConfig
import NTIPC
import NTLog
import NTStorage
import NTSystem
import NTWorkerKit
import UnixSignals
#if canImport(Glibc)
import Glibc
#endif

/// The parent process: owns the config, the database migrations, the listening sockets and the workers.
///
/// It binds both listening sockets itself and hands them to the workers, so a restarted worker never refuses a
/// connection; restarts dead workers with back-off; reaps every child (it may be PID 1); and turns signals into
/// graceful shutdown (SIGTERM, SIGINT), validated config reloads (SIGHUP) and rolling restarts.
public actor Supervisor {
    let configPath: String
    let environment: [String: String]
    let executable: String
    var logger: Logger
    var config: AppConfig
    var state: SupervisorState = .starting
    var policy: RestartPolicy
    var slots: [WorkerRole: WorkerSlot] = [:]
    var children: [Int32: ChildRecord] = [:]
    var sockets: [WorkerRole: ListeningSocket] = [:]
    var exitCode: Int32 = 0
    /// Roles being replaced by a rolling restart right now (the watchdog does not pile on another).
    var replacing: Set<WorkerRole> = []
    /// Rolling restarts the memory watchdog asked for, per role.
    var watchdogRestarts: [WorkerRole: Int] = [:]
    /// True while a restore (or its rollback) is in progress.
    var restoring = false
    /// The probation of the workers on a restored database and the last restore's outcome.
    var restoreState = RestoreState()
    /// The systemd notifications (`Type=notify`); inactive without `$NOTIFY_SOCKET`.
    var systemd: SystemdState
    let startedAtUnix = WallClock.secondsSinceEpoch()
    private var finished: CheckedContinuation<Int32, Never>?
    private var finishedCode: Int32?

    /// - Parameters:
    ///   - config: the validated configuration from `configPath`.
    ///   - environment: the process environment (passed to workers and used for reloads).
    public init(config: AppConfig, configPath: String, environment: [String: String], logger: Logger) {
        self.config = config
        self.configPath = configPath
        self.environment = environment
        self.logger = logger
        self.executable = Spawner.currentExecutable()
        self.policy = Self.policy(for: config)
        self.systemd = SystemdState(notifier: SystemdNotifier(environment: environment))
        for role in WorkerRole.allCases { slots[role] = WorkerSlot(role: role) }
    }

    static func policy(for config: AppConfig) -> RestartPolicy {
        RestartPolicy(
            initialBackoff: .milliseconds(config.supervisor.restartInitialBackoffMs),
            maxBackoff: .milliseconds(config.supervisor.restartMaxBackoffMs),
            healthyAfter: .seconds(config.supervisor.healthyAfterSeconds),
            maxRestarts: config.supervisor.crashLoopMaxRestarts,
            window: .seconds(config.supervisor.crashLoopWindowSeconds)
        )
    }

    /// Runs the appliance until it is told to stop; returns the process exit code (0 after a graceful stop).
    public func run() async -> Int32 {
        ChildReaper.becomeSubreaper()
        signal(SIGPIPE, SIG_IGN)
        do {
            try await prepare()
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            return 1
        }
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint, .sighup, .sigusr1)
        let signalTask = Task { for await signal in signals { await self.handle(signal) } }
        let reaperTask = Task { await self.reapLoop() }
        let watchdogTask = Task { await self.watchdogLoop() }
        let systemdWatchdogTask = Task { await self.systemdWatchdogLoop() }
        if let problem = systemd.notifier.problem { logger.warning("not notifying systemd: \(problem)") }
        let control = IPCServer(path: RunDirectory(path: config.resolvedRunDir).controlSocket, logger: logger) { command, argument in
            await self.answerControl(command: command, argument: argument)
        }
        let controlTask = Task { try await control.run() }

        state = .running
        for role in WorkerRole.allCases { startWorker(role) }
        logger.info(
            "supervisor running",
            metadata: [
                "web": "\(config.server.listen)", "metrics": "\(config.metrics.listen)",
                "data_dir": "\(config.storage.dataDir)", "config": "\(configPath)",
            ]
        )
        let code = await withCheckedContinuation { continuation in
            if let code = finishedCode { continuation.resume(returning: code) } else { finished = continuation }
        }
        signalTask.cancel()
        reaperTask.cancel()
        watchdogTask.cancel()
        systemdWatchdogTask.cancel()
        controlTask.cancel()
        _ = await controlTask.result
        for socket in sockets.values { socket.close() }
        logger.info("supervisor stopped", metadata: ["exit_code": "\(code)"])
        return code
    }

    /// Creates the data and run directories, runs the database migrations and binds the listening sockets.
    func prepare() async throws {
        try Directories.create(config.storage.dataDir)
        try Directories.create(config.resolvedRunDir)
        // Sockets of workers of a previous run that was killed (or of workers killed since) name no process.
        RunDirectory(path: config.resolvedRunDir).removeStaleWorkerSockets { ProcessLiveness.isAlive(Int($0)) }
        let location = try config.databaseLocation()
        if let databasePath = location.sqlitePath {
            for (path, mode) in PrivateFiles.tighten([databasePath, databasePath + "-wal", databasePath + "-shm"]) {
                logger.notice("made a data file private to the appliance's user", metadata: ["path": "\(path)", "previous_mode": "0\(String(mode, radix: 8))"])
            }
        }
        let database = try location.open(applicationName: "neural-terminal supervisor")
        let applied = try Migrator(database: database).migrate()
        logger.info("database ready", metadata: [
            "engine": "\(location.engine.rawValue)", "database": "\(location.displayName)",
            "schema_version": "\(applied.version)", "migrations_applied": "\(applied.applied)",
        ])
        sockets[.web] = try await bindWaiting(config.server.listen)
        sockets[.metrics] = try await bindWaiting(config.metrics.listen)
    }

    /// Binds `listen`, waiting while its port is taken: after the supervisor was killed, its workers go on
    /// serving their streams until they end (at most the shutdown grace period, then they stop), and a new `run`
    /// waits for them rather than failing at once. Says so in the log, and in the error if the port stays taken.
    func bindWaiting(_ listen: String) async throws -> ListeningSocket {
        let wait = config.supervisor.shutdownGraceSeconds + 5
        let deadline = ContinuousClock.now + .milliseconds(Int(wait * 1000))
        var warned = false
        while true {
            do {
                return try bind(listen)
            } catch let error as SystemError where error.code == EADDRINUSE {
                guard ContinuousClock.now < deadline else {
                    throw StartFailure("\(listen) is in use by another process (another appliance, or the workers of a killed one still draining); waited \(Int(wait)) s for it")
                }
                if !warned {
                    logger.warning("address in use; waiting for it to be free (the workers of a previous run may still be finishing their answers)",
                                   metadata: ["listen": "\(listen)", "wait_seconds": "\(Int(wait))"])
                    warned = true
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    func bind(_ listen: String) throws -> ListeningSocket {
        let address = try ListenAddress(parsing: listen)
        let host = address.family == .localhost ? "127.0.0.1" : address.host
        return try ListeningSocket.open(host: host, port: address.port)
    }

    /// The database file of a configuration.
    public static func databasePath(_ config: AppConfig) -> String {
        DatabaseLocation.sqliteFile(in: config.storage.dataDir)
    }

    func handle(_ signal: UnixSignal) async {
        switch signal {
        case .sigterm, .sigint:
            await shutdown(reason: "signal \(signal)", exitCode: 0)
        case .sighup:
            announceReloading()
            announceReloaded(applied: await reload())
        case .sigusr1:
            logger.notice("backup requested by SIGUSR1")
            Task { _ = await self.forwardBackup(trigger: "sigusr1") }
        default:
            logger.info("signal ignored", metadata: ["signal": "\(signal)"])
        }
    }

    /// Ends `run()` with `code`; safe to call more than once (the first code wins).
    func finish(_ code: Int32) {
        guard finishedCode == nil else { return }
        finishedCode = code
        state = .stopped
        finished?.resume(returning: code)
        finished = nil
    }
}

/// Why the supervisor could not start, in a sentence for the `cannot start` log line.
struct StartFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
