import Logging
import NTIPC
import NTMetrics
import NTStorage
import NTWorkerKit

/// Gathers every process's exposition over the local sockets and merges them into one, labelled by worker.
///
/// A process that does not answer within a second is left out of that scrape (and `neural_terminal_worker_up` from the
/// supervisor shows it); the scrape itself never fails because one part is missing.
struct ExpositionCollector: Sendable {
    let context: WorkerContext

    func collect() async -> String {
        let run = context.runDirectory
        var parts: [(worker: String, text: String)] = [("metrics", await context.metrics.collect())]
        if let supervisor = try? await IPCClient.request(path: run.controlSocket, command: "metrics", timeout: 1) {
            parts.append(("supervisor", supervisor))
            if let text = try? await IPCClient.request(path: run.controlSocket, command: "status", timeout: 1),
               let status = try? SupervisorStatus.decode(text) {
                for worker in status.workers where worker.role != WorkerRole.metrics.rawValue {
                    guard let pid = worker.pid, let role = WorkerRole(rawValue: worker.role) else { continue }
                    let path = run.workerSocket(role: role, pid: pid)
                    if let part = try? await IPCClient.request(path: path, command: "metrics", timeout: 1) {
                        parts.append((role.rawValue, part))
                    }
                }
            }
        }
        // On PostgreSQL several appliances may share the database, and their series are told apart by `instance`.
        let config = context.config.current
        let shared = (try? config.databaseLocation())?.engine == .postgres
        return ExpositionMerger.merge(parts, instance: shared ? config.instanceName : nil)
    }
}
