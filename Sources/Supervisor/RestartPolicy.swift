/// Decides what happens when a worker dies: restart after a back-off, or give up on a crash loop.
///
/// The delay doubles with each consecutive death, from `initialBackoff` up to `maxBackoff`, and resets once a
/// worker has stayed up for `healthyAfter`. Only workers that die before they ever became ready count toward a
/// crash loop: more than `maxRestarts` such deaths of one role within `window` mean the worker cannot start (a
/// bad file, a missing permission), and the supervisor stops everything and exits non-zero so systemd or Docker
/// sees the failure (s6's `s6-permafailon`). A worker that reached ready and then died (the OOM killer, an
/// operator's `kill`, a crash on some request) is restarted with back-off, however often: one degraded worker
/// must not become an outage of the whole appliance.
public struct RestartPolicy: Sendable {
    public enum Decision: Sendable, Equatable {
        case restart(after: Duration)
        case giveUp(restartsInWindow: Int)
    }

    public var initialBackoff: Duration
    public var maxBackoff: Duration
    public var healthyAfter: Duration
    public var maxRestarts: Int
    public var window: Duration

    private var consecutiveFailures: [String: Int] = [:]
    private var recentRestarts: [String: [ContinuousClock.Instant]] = [:]

    public init(initialBackoff: Duration, maxBackoff: Duration, healthyAfter: Duration, maxRestarts: Int, window: Duration) {
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.healthyAfter = healthyAfter
        self.maxRestarts = maxRestarts
        self.window = window
    }

    /// Forgets the failures of `role` (the restore rollback: its workers start afresh on the previous database).
    public mutating func forget(role: String) {
        consecutiveFailures[role] = nil
        recentRestarts[role] = nil
    }

    /// Records that a worker of `role` died after running for `ranFor` (having reported ready or not), and says
    /// what to do.
    public mutating func workerDied(role: String, ranFor: Duration, becameReady: Bool, now: ContinuousClock.Instant) -> Decision {
        if ranFor >= healthyAfter { consecutiveFailures[role] = 0 }
        if becameReady {
            recentRestarts[role] = nil
        } else {
            let restarts = (recentRestarts[role] ?? []).filter { now - $0 < window }
            guard restarts.count < maxRestarts else {
                recentRestarts[role] = restarts
                return .giveUp(restartsInWindow: restarts.count)
            }
            recentRestarts[role] = restarts + [now]
        }
        let failures = consecutiveFailures[role] ?? 0
        consecutiveFailures[role] = failures + 1
        var delay = initialBackoff
        for _ in 0..<min(failures, 30) where delay < maxBackoff { delay *= 2 }
        return .restart(after: min(delay, maxBackoff))
    }
}
