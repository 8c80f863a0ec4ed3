import Logging
import NTMetrics
import NTWorkerKit

extension Supervisor {
    /// The memory watchdog: every `memory.sample_interval_seconds` it reads each ready worker's resident memory
    /// from /proc; a worker over `memory.limit_mb` for `memory.samples_over_limit` samples in a row is replaced by
    /// a rolling restart (the new process accepts on the shared socket before the old one drains), logged and
    /// counted in `neural_terminal_worker_watchdog_restarts_total`. A steady leak thus costs a restart now and then,
    /// never the appliance: rolling restarts do not count towards the crash-loop limit.
    ///
    /// A worker over the limit soon after it started (within `healthy_after_seconds`) says the limit is below
    /// what the worker needs, not that it leaks: each such replacement holds the next one off for longer
    /// (``WatchdogHoldOff``), and the log says so, instead of replacing the worker every second forever.
    func watchdogLoop() async {
        var over: [WorkerRole: (pid: Int32, samples: Int)] = [:]
        var holdOff = WatchdogHoldOff()
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
                    guard samples >= memory.samplesOverLimit, holdOff.allows(role) else { continue }
                    over[role] = nil
                    let ranFor = ContinuousClock.now - slot.startedAt
                    if let delay = holdOff.replaced(role, ranFor: ranFor, healthyAfter: .seconds(config.supervisor.healthyAfterSeconds)) {
                        logger.error(
                            "memory watchdog: a worker was over its limit soon after it started; memory.limit_mb is probably too low for it",
                            metadata: [
                                "role": "\(role.rawValue)", "rss_mb": "\(stats.residentBytes / 1_048_576)", "limit_mb": "\(memory.limitMB)",
                                "next_replacement_after_ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
                            ]
                        )
                    }
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

/// How long the watchdog waits before it replaces a role again. A replacement of a worker that had run for less
/// than `healthyAfter` doubles the wait (1 s up to 5 min); one that had run longer (a leak that took its time)
/// clears it.
struct WatchdogHoldOff {
    static let first = Duration.seconds(1)
    static let longest = Duration.seconds(300)
    private var until: [WorkerRole: ContinuousClock.Instant] = [:]
    private var delay: [WorkerRole: Duration] = [:]

    func allows(_ role: WorkerRole, now: ContinuousClock.Instant = .now) -> Bool {
        until[role].map { now >= $0 } ?? true
    }

    /// Records a replacement of a worker that ran for `ranFor`; returns the new wait when it was too young.
    mutating func replaced(_ role: WorkerRole, ranFor: Duration, healthyAfter: Duration,
                           now: ContinuousClock.Instant = .now) -> Duration? {
        guard ranFor < healthyAfter else {
            until[role] = nil
            delay[role] = nil
            return nil
        }
        let next = delay[role].map { min($0 * 2, Self.longest) } ?? Self.first
        delay[role] = next
        until[role] = now + next
        return next
    }
}
