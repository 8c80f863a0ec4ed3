import NTWorkerKit

/// What the supervisor keeps about restores: the probation of the workers on a restored database, whether the
/// writers are stopped for a swap, and the last outcome (for `status` and `/ready`).
struct RestoreState: Sendable {
    /// Set while the workers are on probation on a restored database.
    var watch: RestoreWatch?
    /// True while the writers are stopped and the database file is being replaced: no worker may start.
    var swapping = false
    /// The last restore's outcome.
    var note: SupervisorStatus.RestoreNote?
}

/// The probation after a restore: the web and maintenance workers must stay up on the restored database. If they
/// exit ``failuresBeforeRollback`` times within the window (before a crash loop would stop the appliance), the
/// supervisor puts the previous database back.
struct RestoreWatch: Sendable {
    /// The previous database, kept aside by the swap.
    let aside: String
    /// The end of the probation.
    let until: ContinuousClock.Instant
    /// The exits seen so far, as `web exited(1)`.
    private(set) var failures: [String] = []

    static let failuresBeforeRollback = 2

    init(aside: String, window: Duration, now: ContinuousClock.Instant = .now) {
        self.aside = aside
        self.until = now + window
    }

    func isActive(now: ContinuousClock.Instant = .now) -> Bool { now < until }

    /// Records an exit of a writer's process; true once the workers have failed often enough to roll back.
    mutating func record(role: WorkerRole, status: String) -> Bool {
        failures.append("\(role.rawValue) \(status)")
        return shouldRollBack
    }

    var shouldRollBack: Bool { failures.count >= Self.failuresBeforeRollback }

    /// Why the restore must be rolled back once the supervisor stopped waiting for the web worker, or nil when the
    /// workers are fine so far. The failures decide even when the web worker is ready: the maintenance worker may
    /// be the one failing. A sentence without paths (it reaches `/ready`).
    func rollbackReason(webReady: Bool, readyLimit: Double) -> String? {
        if shouldRollBack { return summary }
        guard !webReady else { return nil }
        let seconds = readyLimit == readyLimit.rounded() && readyLimit < 1e9 ? "\(Int(readyLimit))" : "\(readyLimit)"
        return "the web worker was not ready within \(seconds) s on the restored database"
    }

    /// `the web worker exited 2 times (exited(1), exited(1))`.
    var summary: String {
        "the workers exited \(failures.count) times on the restored database (\(failures.joined(separator: ", ")))"
    }
}
