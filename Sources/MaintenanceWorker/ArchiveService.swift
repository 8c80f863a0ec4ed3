import Logging
import Metrics
import NTArchive
import NTChat
import NTConfig
import NTSystem
import NTWorkerKit

/// Runs archive runs for the maintenance worker, one at a time: on schedule (the first tick, then hourly) and when
/// asked over the worker's socket (`archive`, sent by the supervisor for `neural-terminal archive`). A request that
/// arrives while a run is going gets that run's report.
actor ArchiveService {
    let context: WorkerContext
    private var running: Task<ArchiveReport, Never>?
    private var repository: SQLChatRepository?
    private let stopping = StopSignal()

    private let archived = Counter(label: "neural_terminal_archive_conversations_total")
    private let pruned = Counter(label: "neural_terminal_archive_pruned_conversations_total")
    private let lastSuccess = Gauge(label: "neural_terminal_archive_last_success_timestamp_seconds")
    private let lastFailure = Gauge(label: "neural_terminal_archive_last_failure_timestamp_seconds")
    private let inProgress = Gauge(label: "neural_terminal_archive_in_progress")

    init(context: WorkerContext) {
        self.context = context
        let help = [
            "neural_terminal_archive_conversations_total": "Conversations written to monthly archive files by this maintenance worker.",
            "neural_terminal_archive_pruned_conversations_total": "Archived conversations deleted from the database after their file was verified.",
            "neural_terminal_archive_last_success_timestamp_seconds": "Unix time of the last archive run that ended without an error (0: none since start).",
            "neural_terminal_archive_last_failure_timestamp_seconds": "Unix time of the last failed archive run since the worker started (0: none).",
            "neural_terminal_archive_failures_total": "Archive runs that failed, by reason (verify, damaged, io, zstd, disk_full, busy, sqlite).",
            "neural_terminal_archive_in_progress": "1 while an archive run is going.",
        ]
        for (name, text) in help { context.metrics.describe(name, help: text) }
        inProgress.record(0)
        lastSuccess.record(0)
        lastFailure.record(0)
    }

    /// Makes a running archive run stop at its next conversation page; called on graceful shutdown.
    nonisolated func cancel() {
        stopping.raise()
    }

    /// Makes the worker answer `archive` on its socket.
    nonisolated func registerCommands() {
        context.commands.register("archive") { [self] argument in
            await self.archive(trigger: argument.isEmpty ? "request" : argument).encoded()
        }
    }

    /// Runs archiving now (or joins the run going on).
    func archive(trigger: String) async -> ArchiveReport {
        if let running { return await running.value }
        let config = context.config.current
        let logger = context.logger
        let settings = ArchiveSettings(config)
        let repository: SQLChatRepository
        do {
            repository = try self.repository ?? SQLChatRepository(location: config.databaseLocation(), applicationName: "neural-terminal archives")
            self.repository = repository
        } catch {
            var report = ArchiveReport(ok: false)
            report.error = "\(error)"
            report.reason = "sqlite"
            return finished(report, trigger: trigger)
        }
        logger.info("archive started", metadata: [
            "trigger": "\(trigger)", "dir": "\(settings.directory)", "after_days": "\(settings.afterDays)", "prune": "\(settings.prune)",
        ])
        inProgress.record(1)
        var runner = ArchiveRunner(repository: repository, settings: settings)
        let stopping = self.stopping
        runner.shouldContinue = { !stopping.isRaised }
        let task = Task { await runner.run() }
        running = task
        let report = await task.value
        running = nil
        inProgress.record(0)
        return finished(report, trigger: trigger)
    }

    private func finished(_ report: ArchiveReport, trigger: String) -> ArchiveReport {
        let logger = context.logger
        if report.ok {
            archived.increment(by: report.archivedConversations)
            pruned.increment(by: report.prunedConversations)
            lastSuccess.record(Double(UTCTime.now().unix))
            let level: Logger.Level = report.archivedConversations + report.prunedConversations > 0 ? .notice : .info
            logger.log(level: level, "archive finished", metadata: [
                "trigger": "\(trigger)", "archived_conversations": "\(report.archivedConversations)",
                "archived_messages": "\(report.archivedMessages)", "pruned_conversations": "\(report.prunedConversations)",
                "kept_changed": "\(report.keptChanged)", "oversized": "\(report.oversized)", "files": "\(report.files.map(\.file))",
                "duration_seconds": "\(report.durationSeconds)",
            ])
        } else if report.reason == "cancelled" {
            logger.notice("archive cancelled: the worker is stopping; nothing unverified was published or pruned", metadata: ["trigger": "\(trigger)"])
        } else if report.reason == "busy", trigger == "schedule" {
            logger.info("scheduled archive skipped: another archive run is going", metadata: ["error": "\(report.error ?? "")"])
        } else {
            let reason = report.reason ?? "other"
            Counter(label: "neural_terminal_archive_failures_total", dimensions: [("reason", reason)]).increment()
            lastFailure.record(Double(UTCTime.now().unix))
            // What was published before the failure still counts.
            archived.increment(by: report.archivedConversations)
            pruned.increment(by: report.prunedConversations)
            logger.error("archive failed", metadata: [
                "trigger": "\(trigger)", "reason": "\(reason)", "error": "\(report.error ?? "")",
                "archived_conversations": "\(report.archivedConversations)",
            ])
        }
        return report
    }
}
