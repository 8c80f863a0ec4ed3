import Logging
import Metrics
import NTStorage
import NTWorkerKit
import ServiceLifecycle

/// The maintenance worker: a schedule loop for the jobs that keep the data safe (backups, archives and the
/// memory watchdog build on it). Today's job: a passive WAL checkpoint each tick, so the WAL file stays small.
public enum MaintenanceWorker {
    public static func services(context: WorkerContext) async throws -> [any Service] {
        [ScheduleLoop(context: context)]
    }
}

/// Runs the due jobs every `maintenance.tick_seconds` until graceful shutdown.
struct ScheduleLoop: Service {
    let context: WorkerContext

    func run() async throws {
        let ticks = Counter(label: "maintenance_ticks_total")
        let failures = Counter(label: "maintenance_job_failures_total", dimensions: [("job", "wal_checkpoint")])
        context.readiness.markReady()
        var database: SQLiteDatabase?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            ticks.increment()
            do {
                if database == nil {
                    database = try SQLiteDatabase(path: context.config.current.storage.dataDir + "/neural-terminal.db")
                }
                try database?.execute("PRAGMA wal_checkpoint(PASSIVE)")
                context.logger.debug("maintenance tick done")
            } catch {
                failures.increment()
                database = nil
                context.logger.error("maintenance job failed", metadata: ["job": "wal_checkpoint", "error": "\(error)"])
            }
            let tick = context.config.current.maintenance.tickSeconds
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: .milliseconds(Int(tick * 1000)))
            }
        }
    }
}
