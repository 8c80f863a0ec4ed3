import Dispatch
import Logging
import Metrics
import NTBackup
import NTConfig
import NTSystem
import NTWorkerKit
import Synchronization

/// Runs backups for the maintenance worker, one at a time: scheduled ones, and those asked for over the worker's
/// socket (`backup`, sent by the supervisor for `neural-terminal backup` and SIGUSR1).
///
/// The work runs on its own thread (SQLite and zstd block), never on Swift's cooperative pool, so the worker's
/// socket keeps answering meanwhile. A request that arrives while a backup runs gets that backup's result.
actor BackupService {
    let context: WorkerContext
    private var running: Task<BackupReport, Never>?
    /// Raised when the worker is told to stop: a running backup ends at its next step and cleans up.
    private let stopping = StopSignal()
    private static let queue = DispatchQueue(label: "neural-terminal.backup", qos: .utility)

    private let succeeded = Counter(label: "neural_terminal_backups_total")
    private let lastSuccess = Gauge(label: "neural_terminal_backup_last_success_timestamp_seconds")
    private let lastFailure = Gauge(label: "neural_terminal_backup_last_failure_timestamp_seconds")
    private let lastDuration = Gauge(label: "neural_terminal_backup_last_duration_seconds")
    private let lastSize = Gauge(label: "neural_terminal_backup_last_size_bytes")
    private let lastDatabaseSize = Gauge(label: "neural_terminal_backup_last_database_bytes")
    private let inProgress = Gauge(label: "neural_terminal_backup_in_progress")
    private let pruned = Counter(label: "neural_terminal_backups_pruned_total")

    init(context: WorkerContext) {
        self.context = context
        let help = [
            "neural_terminal_backups_total": "Backups written successfully by this maintenance worker.",
            "neural_terminal_backup_failures_total": "Backups that failed, by reason (disk_full, sqlite, integrity, io, zstd, busy, no_database).",
            "neural_terminal_backup_last_success_timestamp_seconds": "Unix time of the newest successful backup (read from its manifest at start; 0: none).",
            "neural_terminal_backup_last_failure_timestamp_seconds": "Unix time of the last failed backup since the worker started (0: none).",
            "neural_terminal_backup_interval_seconds": "backup.interval_minutes in seconds: a backup is due when the newest is older (0: no scheduled backups).",
            "neural_terminal_backup_last_duration_seconds": "How long the newest successful backup took.",
            "neural_terminal_backup_last_size_bytes": "Size of the newest backup file (compressed).",
            "neural_terminal_backup_last_database_bytes": "Size of the database snapshot in the newest backup (uncompressed).",
            "neural_terminal_backup_in_progress": "1 while a backup runs.",
            "neural_terminal_backups_pruned_total": "Backups deleted by the retention policy.",
        ]
        for (name, text) in help { context.metrics.describe(name, help: text) }
        if let newest = BackupCatalog.newest(context.config.current.resolvedBackupDir) {
            record(newest)
        } else {
            lastSuccess.record(0)
        }
        lastFailure.record(0)
        inProgress.record(0)
        let config = context.config
        context.metrics.refreshBeforeCollect {
            Gauge(label: "neural_terminal_backup_interval_seconds").record(config.current.backup.intervalMinutes * 60)
        }
    }

    /// Why no backup is taken when the database is PostgreSQL's.
    static let postgresRefusal = "storage.url names a PostgreSQL database: its backups are PostgreSQL's own "
        + "(pg_dump or pgBackRest; see docs/runbook.md); the monthly archives and exports go on"

    /// Makes a running backup (and any later one) stop at its next step; called on graceful shutdown.
    nonisolated func cancel() {
        stopping.raise()
    }

    /// Makes the worker answer `backup` on its socket.
    nonisolated func registerCommands() {
        context.commands.register("backup") { [self] argument in
            await self.backup(trigger: argument.isEmpty ? "request" : argument).encoded()
        }
    }

    /// Takes a backup now (or joins the one running) and applies retention.
    func backup(trigger: String) async -> BackupReport {
        if let running { return await running.value }
        let config = context.config.current
        let logger = context.logger
        guard let databasePath = (try? config.databaseLocation())?.sqlitePath else {
            let report = BackupReport(ok: false, error: Self.postgresRefusal, reason: "postgres")
            logger.warning("backup refused", metadata: ["trigger": "\(trigger)", "error": "\(Self.postgresRefusal)"])
            return report
        }
        let settings = BackupSettings(
            databasePath: databasePath, directory: config.resolvedBackupDir,
            zstdLevel: Int32(config.backup.zstdLevel), minFreeBytes: config.backup.minFreeMB * 1_048_576,
            appVersion: BuildInfo.version
        )
        let policy = RetentionPolicy(
            last: config.backup.keepLast, daily: config.backup.keepDaily, weekly: config.backup.keepWeekly,
            monthly: config.backup.keepMonthly
        )
        logger.info("backup started", metadata: ["trigger": "\(trigger)", "dir": "\(settings.directory)"])
        inProgress.record(1)
        let stopping = self.stopping
        let task = Task<BackupReport, Never> {
            await withCheckedContinuation { continuation in
                Self.queue.async {
                    do {
                        let result = try BackupEngine.create(settings, shouldContinue: { !stopping.isRaised })
                        let removed = BackupCatalog.prune(settings.directory, policy: policy)
                        continuation.resume(returning: BackupReport(ok: true, path: result.path, manifest: result.manifest, pruned: removed))
                    } catch let error as BackupError {
                        continuation.resume(returning: BackupReport(ok: false, error: error.description, reason: error.reason))
                    } catch {
                        continuation.resume(returning: BackupReport(ok: false, error: "\(error)", reason: "other"))
                    }
                }
            }
        }
        running = task
        let report = await task.value
        running = nil
        inProgress.record(0)
        if let manifest = report.manifest, report.ok {
            succeeded.increment()
            record(manifest)
            if !report.pruned.isEmpty { pruned.increment(by: report.pruned.count) }
            logger.notice(
                "backup written",
                metadata: [
                    "trigger": "\(trigger)", "file": "\(report.path ?? "")", "database_bytes": "\(manifest.databaseBytes)",
                    "compressed_bytes": "\(manifest.compressedBytes)", "duration_seconds": "\(manifest.durationSeconds)",
                    "schema_version": "\(manifest.schemaVersion)", "pruned": "\(report.pruned)",
                ]
            )
        } else if report.reason == "cancelled" {
            logger.notice("backup cancelled: the worker is stopping; nothing was written", metadata: ["trigger": "\(trigger)"])
        } else if report.reason == "busy", trigger == "schedule" {
            // Another process (a predecessor draining in a rolling restart, a CLI run) is taking one right now.
            logger.info("scheduled backup skipped: another backup is running", metadata: ["error": "\(report.error ?? "")"])
        } else {
            let reason = report.reason ?? "other"
            Counter(label: "neural_terminal_backup_failures_total", dimensions: [("reason", reason)]).increment()
            lastFailure.record(Double(UTCTime.now().unix))
            logger.error("backup failed", metadata: ["trigger": "\(trigger)", "reason": "\(reason)", "error": "\(report.error ?? "")"])
        }
        return report
    }

    private nonisolated func record(_ manifest: BackupManifest) {
        if let time = BackupName.time(of: manifest.file) { lastSuccess.record(Double(time.unix)) }
        lastDuration.record(manifest.durationSeconds)
        lastSize.record(Double(manifest.compressedBytes))
        lastDatabaseSize.record(Double(manifest.databaseBytes))
    }
}

/// A one-way flag safe to read from the backup thread.
final class StopSignal: Sendable {
    private let raised = Atomic<Bool>(false)

    func raise() { raised.store(true, ordering: .releasing) }

    var isRaised: Bool { raised.load(ordering: .acquiring) }
}
