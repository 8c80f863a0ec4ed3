import Logging
import NTWorkerKit
#if canImport(Glibc)
import Glibc
#endif

/// Stopping and starting the writers (web and maintenance workers) around a restore's swap.
extension Supervisor {
    /// How long a worker may take to become ready: `supervisor.healthy_after_seconds` (a worker up that long counts
    /// as healthy; 30 s by default), and never less than 15 s. After a restore (the database may have been migrated
    /// first), a web worker not ready by then makes the supervisor roll the restore back.
    var readinessLimitSeconds: Double { max(15, config.supervisor.healthyAfterSeconds) }

    /// Waits until the web worker is ready, the writers have failed often enough to roll back, the supervisor
    /// stops running (nothing more will start), or ``readinessLimitSeconds`` pass.
    func awaitWebOrFailures() async {
        let deadline = ContinuousClock.now + .milliseconds(Int(readinessLimitSeconds * 1000))
        while ContinuousClock.now < deadline, state == .running, slots[.web]?.ready != true,
              restoreState.watch?.shouldRollBack != true {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Starts the web and maintenance workers again, unless the supervisor began to drain meanwhile (a SIGTERM
    /// during a restore): then they stay stopped and the shutdown proceeds.
    func startWriters() async {
        restoreState.swapping = false
        guard state == .running else {
            logger.notice("restore: the appliance is stopping; the writers stay stopped")
            return
        }
        for role in [WorkerRole.web, .maintenance] where slots[role]?.pid == nil { startWorker(role) }
    }

    /// Stops the current web and maintenance processes without restarting them, waiting for them to drain
    /// (killing them after the shutdown grace period). No worker starts until ``startWriters()``.
    func stopWriters() async {
        restoreState.swapping = true
        var pids: [Int32] = []
        for role in [WorkerRole.web, .maintenance] {
            guard let pid = slots[role]?.pid else { continue }
            children[pid]?.retiring = true
            slots[role]?.pid = nil
            slots[role]?.ready = false
            kill(pid, SIGTERM)
            pids.append(pid)
        }
        let deadline = ContinuousClock.now + .milliseconds(Int(config.supervisor.shutdownGraceSeconds * 1000) + 1000)
        while ContinuousClock.now < deadline, pids.contains(where: { children[$0] != nil }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
        for pid in pids where children[pid] != nil {
            kill(pid, SIGKILL)
            logger.warning("restore: killed a worker that did not drain in time", metadata: ["child_pid": "\(pid)"])
        }
        while pids.contains(where: { children[$0] != nil }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
