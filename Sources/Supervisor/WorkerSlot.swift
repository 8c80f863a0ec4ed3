import NTSystem
import NTWorkerKit

/// What the supervisor knows of one role's current process.
struct WorkerSlot: Sendable {
    let role: WorkerRole
    /// The pid serving this role now, or nil while it is down (waiting for a restart).
    var pid: Int32?
    /// When that process started (monotonic, for back-off) and in Unix time (for status).
    var startedAt: ContinuousClock.Instant = .now
    var startedAtUnix: Double = 0
    /// Whether it answered `ping` with `ready` since it started.
    var ready = false
    /// Restarts after a death or a replacement since the appliance started.
    var restarts = 0
}

/// A process the supervisor started and has not reaped yet.
struct ChildRecord: Sendable {
    let role: WorkerRole
    /// Replaced by a newer process of the same role and being drained; its exit is expected.
    var retiring: Bool
}

/// The supervisor's phases, reported by `status` and used by `/ready` (503 while draining).
public enum SupervisorState: String, Sendable {
    case starting
    case running
    case draining
    case stopped
}
