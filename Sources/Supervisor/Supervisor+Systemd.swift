import Logging
import NTSystem
import NTWorkerKit

/// What the supervisor has told systemd so far.
struct SystemdState: Sendable {
    let notifier: SystemdNotifier
    /// READY=1 was sent after start-up.
    var announcedReady = false
    /// Between RELOADING=1 and the READY=1 that ends the reload (a worker turning ready then does not end it).
    var reloading = false
}

extension Supervisor {
    /// Sends `fields` to systemd (``SystemdNotifier``; nothing without `$NOTIFY_SOCKET`). A failure is logged and
    /// otherwise ignored: systemd's view of the service is no reason to stop serving.
    func notifySystemd(_ fields: [SystemdNotifier.Field]) {
        do {
            try systemd.notifier.send(fields)
        } catch {
            logger.warning("cannot notify systemd", metadata: ["error": "\(error)"])
        }
    }

    /// Called whenever a worker reports ready. During start-up the status line counts the ready workers, and
    /// once all are, READY=1 ends start-up; later (after a restart) the status line says the appliance is whole
    /// again.
    func announceServingIfReady() {
        guard systemd.notifier.isActive, state == .running, !systemd.reloading else { return }
        let allReady = WorkerRole.allCases.allSatisfy { slots[$0]?.ready == true }
        if !systemd.announcedReady, !allReady {
            let ready = WorkerRole.allCases.filter { slots[$0]?.ready == true }.count
            notifySystemd([.status("starting: \(ready) of \(WorkerRole.allCases.count) workers ready")])
        } else if !systemd.announcedReady {
            systemd.announcedReady = true
            notifySystemd([.ready, .status(servingStatus())])
        } else if allReady {
            notifySystemd([.status(servingStatus())])
        }
    }

    /// SIGHUP: RELOADING=1 before the file is read. Not during start-up: systemd has not been told READY=1
    /// yet, and gets it only once every worker is ready.
    func announceReloading() {
        guard systemd.notifier.isActive, state == .running, systemd.announcedReady else { return }
        systemd.reloading = true
        notifySystemd([.reloading(monotonicMicroseconds: SystemdNotifier.monotonicMicroseconds()), .status("reloading configuration")])
    }

    /// The reload is over (applied, or refused and the running config kept): READY=1, or systemd would wait
    /// for it until its reload times out.
    func announceReloaded(applied: Bool) {
        guard systemd.reloading else { return }
        systemd.reloading = false
        guard state == .running else { return }
        let status = servingStatus()
        notifySystemd([.ready, .status(applied ? status : "configuration reload refused, running config kept; " + status)])
    }

    /// A worker died and will be started again after `delay`.
    func announceRestart(_ role: WorkerRole, status: ExitStatus, delay: Duration) {
        guard systemd.notifier.isActive else { return }
        notifySystemd([.status("restarting \(role.rawValue) worker in \(delay.formatted) after exit: \(status)")])
    }

    /// A shutdown began (signal or crash loop).
    func announceStopping(reason: String) {
        guard systemd.notifier.isActive else { return }
        notifySystemd([.stopping, .status("stopping: \(reason)")])
    }

    /// WATCHDOG=1 every half `$WATCHDOG_USEC` for as long as the supervisor runs. The pings are sent from the
    /// supervisor's own executor, so a supervisor that is stuck (blocked, deadlocked) stops pinging and systemd
    /// restarts it (`WatchdogSec=`); returns at once when systemd does not watch this process.
    func systemdWatchdogLoop() async {
        guard let interval = systemd.notifier.watchdogPingInterval else { return }
        while !Task.isCancelled, state != .stopped {
            notifySystemd([.watchdog])
            try? await Task.sleep(for: interval)
        }
    }

    /// "serving on 127.0.0.1:8080, metrics on 127.0.0.1:9090, 3 workers ready" (or "2 of 3").
    func servingStatus() -> String {
        let ready = WorkerRole.allCases.filter { slots[$0]?.ready == true }.count
        let total = WorkerRole.allCases.count
        let workers = ready == total ? "\(total) workers ready" : "\(ready) of \(total) workers ready"
        return "serving on \(config.server.listen), metrics on \(config.metrics.listen), \(workers)"
    }
}

private extension Duration {
    /// "50 ms", "2.5 s".
    var formatted: String {
        let milliseconds = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        return milliseconds < 1000 ? "\(milliseconds) ms" : "\(Double(milliseconds) / 1000) s"
    }
}
