import Logging
import Metrics
import NTBackup
import NTStorage
import NTSystem
import NTWorkerKit
import ServiceLifecycle

/// The maintenance worker: the schedule loop for the jobs that keep the data safe. Each tick it checkpoints the
/// WAL (passive), runs `PRAGMA optimize` once an hour, takes a backup when the newest one is older than
/// `backup.interval_minutes`, and archives old conversations on its first tick and then hourly (when
/// `archive.after_days` > 0); it also answers `backup` and `archive` requests forwarded by the supervisor.
/// On PostgreSQL, where several appliances may share the database, only the maintenance leader (``LeaderLock``)
/// archives, and it clears what dead instances left (``ClusterSweep``) every tick.
public enum MaintenanceWorker {
    public static func services(context: WorkerContext) async throws -> [any Service] {
        let backups = BackupService(context: context)
        backups.registerCommands()
        let archives = ArchiveService(context: context)
        archives.registerCommands()
        return [ScheduleLoop(context: context, backups: backups, archives: archives)]
    }
}

/// Runs the due jobs every `maintenance.tick_seconds` until graceful shutdown.
struct ScheduleLoop: Service {
    let context: WorkerContext
    let backups: BackupService
    let archives: ArchiveService
    /// Archive runs are checked this often: `after_days` counts whole days, so an hour late is on time.
    static let archiveInterval = Duration.seconds(3600)

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await loop()
        } onGracefulShutdown: { [backups, archives] in
            backups.cancel()
            archives.cancel()
        }
    }

    /// SQLite's housekeeping: a passive WAL checkpoint every tick, `PRAGMA optimize` once an hour.
    private func checkpoint(_ database: SQLiteDatabase, lastOptimize: inout ContinuousClock.Instant?) throws {
        try database.execute("PRAGMA wal_checkpoint(PASSIVE)")
        if lastOptimize.map({ ContinuousClock.now - $0 >= .seconds(3600) }) ?? true {
            try database.execute("PRAGMA optimize")
            lastOptimize = .now
        }
        context.logger.debug("maintenance tick done")
    }

    private func loop() async throws {
        let ticks = Counter(label: "neural_terminal_maintenance_ticks_total")
        let failures = Counter(label: "neural_terminal_maintenance_job_failures_total", dimensions: [("job", "wal_checkpoint")])
        context.readiness.markReady()
        var database: SQLiteDatabase?
        var lastOptimize: ContinuousClock.Instant?
        var lastFailedBackup: ContinuousClock.Instant?
        var lastArchive: ContinuousClock.Instant?
        let location = try? context.config.current.databaseLocation()
        let leader = LeaderLock(location: location ?? .sqlite(path: ""), job: .maintenance, applicationName: "neural-terminal maintenance leader")
        var sweeper = DeadInstanceSweeper(context: context)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            ticks.increment()
            let config = context.config.current
            let leads = await leader.lead()
            if leads, let location, location.engine == .postgres { sweeper.sweep(location) }
            // PostgreSQL checkpoints and vacuums by itself, and its backups are its own (docs/runbook.md).
            let sqlitePath = (try? config.databaseLocation())?.sqlitePath
            if let sqlitePath {
                do {
                    let open = try database ?? SQLiteDatabase(path: sqlitePath)
                    database = open
                    try checkpoint(open, lastOptimize: &lastOptimize)
                } catch {
                    failures.increment()
                    database = nil
                    context.logger.error("maintenance job failed", metadata: ["job": "wal_checkpoint", "error": "\(error)"])
                }
            }
            let interval = config.backup.intervalMinutes * 60
            if interval > 0, sqlitePath != nil, Self.backupDue(directory: config.resolvedBackupDir, intervalSeconds: interval),
               lastFailedBackup.map({ ContinuousClock.now - $0 >= .seconds(min(interval, 600)) }) ?? true {
                let report = await backups.backup(trigger: "schedule")
                lastFailedBackup = report.ok ? nil : .now
            }
            if config.archive.afterDays > 0, leads, lastArchive.map({ ContinuousClock.now - $0 >= Self.archiveInterval }) ?? true {
                _ = await archives.archive(trigger: "schedule")
                lastArchive = .now
            }
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: .milliseconds(Int(config.maintenance.tickSeconds * 1000)))
            }
        }
        await leader.resign()
    }

    /// Whether the newest backup in `directory` is older than the interval (or there is none).
    static func backupDue(directory: String, intervalSeconds: Double, now: UTCTime = .now()) -> Bool {
        guard let newest = BackupCatalog.list(directory).first else { return true }
        return Double(now.unix - newest.time.unix) >= intervalSeconds
    }
}

/// The maintenance leader's sweep on PostgreSQL: what instances that died left behind (``ClusterSweep``), on a
/// connection kept between ticks and opened again after a failure.
struct DeadInstanceSweeper {
    let context: WorkerContext
    private var database: (any DatabaseConnection)?
    private let failures = Counter(label: "neural_terminal_maintenance_job_failures_total", dimensions: [("job", "cluster_sweep")])

    init(context: WorkerContext) {
        self.context = context
    }

    mutating func sweep(_ location: DatabaseLocation) {
        do {
            let open = try database ?? location.open(applicationName: "neural-terminal maintenance")
            database = open
            let report = try ClusterSweep.run(open)
            if report.interrupted > 0 || report.reservations > 0 {
                context.logger.warning("cleared what stopped instances left", metadata: [
                    "interrupted_answers": "\(report.interrupted)", "released_reservations": "\(report.reservations)",
                    "runners": "\(report.runners)",
                ])
            }
        } catch {
            failures.increment()
            database = nil
            context.logger.error("maintenance job failed", metadata: ["job": "cluster_sweep", "error": "\(error)"])
        }
    }
}
