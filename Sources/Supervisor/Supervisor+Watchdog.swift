import Logging
import NTMetrics
import NTWorkerKit

extension Supervisor {
    /// The memory watchdog: every `memory.sample_interval_seconds` it reads each ready worker's resident memory
    /// from /proc; a worker over `memory.limit_mb` for `memory.samples_over_limit` samples in a row is replaced by
    /// a rolling restart (the new process accepts on the shared socket before the old one drains), logged and
    /// counted in `neural_terminal_worker_watchdog_restarts_total`. A steady leak thus costs a restart now and then,
    /// never the appliance: rolling restarts do not count towards the crash-loop limit.
    func watchdogLoop() async {
        var over: [WorkerRole: (pid: Int32, samples: Int)] = [:]
        while !Task.isCancelled {
            let memory = config.memory
            if state == .running, !restoring {
                let limit = UInt64(memory.limitMB) * 1_048_576
                for role in WorkerRole.allCases {
                    guard let slot = slots[role], let pid = slot.pid, slot.ready, !replacing.contains(role),
                          let stats = ProcessStats.read(pid: pid) else {
                        over[role] = nil
                        continue
                    }
                    guard stats.residentBytes > limit else {
                        over[role] = nil
                        continue
                    }
                    let samples = (over[role]?.pid == pid ? over[role]?.samples ?? 0 : 0) + 1
                    over[role] = (pid, samples)
                    guard samples >= memory.samplesOverLimit else { continue }
                    over[role] = nil
                    watchdogRestarts[role, default: 0] += 1
                    logger.warning(
                        "memory watchdog: worker over its limit; replacing it",
                        metadata: [
                            "role": "\(role.rawValue)", "child_pid": "\(pid)", "rss_mb": "\(stats.residentBytes / 1_048_576)",
                            "limit_mb": "\(memory.limitMB)", "samples": "\(samples)",
                            "watchdog_restarts": "\(watchdogRestarts[role] ?? 0)",
                        ]
                    )
                    replacing.insert(role)
                    Task { await self.rollingRestart(role) }
                }
            }
            try? await Task.sleep(for: .milliseconds(max(10, Int(memory.sampleIntervalSeconds * 1000))))
        }
    }
}
