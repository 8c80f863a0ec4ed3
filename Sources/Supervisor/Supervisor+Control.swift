import FoundationEssentials
import NTMetrics
import NTSystem
import NTWorkerKit
#if canImport(Glibc)
import Glibc
#endif

extension Supervisor {
    func answerControl(command: String, argument: String) async -> String {
        switch command {
        case "ping":
            return "ready"
        case "status":
            return status().encoded()
        case "metrics":
            return metricsExposition()
        case "restart":
            guard let role = WorkerRole(rawValue: argument) else { return "error: unknown worker '\(argument)'" }
            logger.notice("rolling restart requested", metadata: ["role": "\(role.rawValue)"])
            Task { await self.rollingRestart(role) }
            return "ok"
        case "backup":
            return await forwardBackup(trigger: argument.isEmpty ? "request" : argument)
        case "archive":
            return await forwardArchive(trigger: argument.isEmpty ? "request" : argument)
        case "restore":
            return await restore(staged: argument)
        default:
            return "error: unknown command '\(command)'"
        }
    }

    func status() -> SupervisorStatus {
        let now = WallClock.secondsSinceEpoch()
        let workers = WorkerRole.allCases.map { role -> SupervisorStatus.Worker in
            let slot = slots[role] ?? WorkerSlot(role: role)
            return .init(
                role: role.rawValue, pid: slot.pid, up: slot.pid != nil, ready: slot.ready,
                uptimeSeconds: slot.pid == nil ? 0 : ((now - slot.startedAtUnix) * 1000).rounded() / 1000,
                restarts: slot.restarts,
                rssBytes: slot.pid.flatMap { ProcessStats.read(pid: $0) }.map { Int($0.residentBytes) }
            )
        }
        return SupervisorStatus(
            state: state.rawValue, pid: getpid(), uptimeSeconds: ((now - startedAtUnix) * 1000).rounded() / 1000,
            configPath: configPath, workers: workers, restore: restoreNote()
        )
    }

    /// The supervisor's own part of `/metrics`: per-worker counters and gauges (already labelled by worker), the
    /// watchdog's memory limit per worker (so `process_resident_memory_bytes` divides by it worker by worker), and
    /// its process.
    func metricsExposition() -> String {
        var text = "# HELP neural_terminal_worker_restarts_total Times the supervisor restarted a worker after it died or was replaced.\n"
        text += "# TYPE neural_terminal_worker_restarts_total counter\n"
        for role in WorkerRole.allCases {
            text += "neural_terminal_worker_restarts_total{worker=\"\(role.rawValue)\"} \(slots[role]?.restarts ?? 0)\n"
        }
        text += "# HELP neural_terminal_worker_up Whether the worker process is running and has reported ready (1) or not (0).\n"
        text += "# TYPE neural_terminal_worker_up gauge\n"
        for role in WorkerRole.allCases {
            let up = slots[role].map { $0.pid != nil && $0.ready } ?? false
            text += "neural_terminal_worker_up{worker=\"\(role.rawValue)\"} \(up ? 1 : 0)\n"
        }
        text += "# HELP neural_terminal_worker_watchdog_restarts_total Rolling restarts of a worker whose resident memory stayed over memory.limit_mb.\n"
        text += "# TYPE neural_terminal_worker_watchdog_restarts_total counter\n"
        for role in WorkerRole.allCases {
            text += "neural_terminal_worker_watchdog_restarts_total{worker=\"\(role.rawValue)\"} \(watchdogRestarts[role] ?? 0)\n"
        }
        text += "# HELP neural_terminal_worker_memory_limit_bytes The memory watchdog's limit on a worker's resident memory (memory.limit_mb).\n"
        text += "# TYPE neural_terminal_worker_memory_limit_bytes gauge\n"
        for role in WorkerRole.allCases {
            text += "neural_terminal_worker_memory_limit_bytes{worker=\"\(role.rawValue)\"} \(UInt64(config.memory.limitMB) * 1_048_576)\n"
        }
        text += "# HELP neural_terminal_supervisor_draining Whether the appliance is shutting down (1) or not (0).\n"
        text += "# TYPE neural_terminal_supervisor_draining gauge\n"
        text += "neural_terminal_supervisor_draining \(state == .draining ? 1 : 0)\n"
        if let own = ProcessStats.read(pid: getpid()) {
            text += ProcessMetrics.exposition(for: own)
        }
        return text
    }
}
