import Logging
import NTWorkerKit
#if canImport(Glibc)
import Glibc
#endif

extension Supervisor {
    /// Graceful stop: the web and maintenance workers drain first (in-flight streams finish), then the metrics
    /// worker (so `/ready` reports 503 while the others drain); whatever is left at the end of
    /// `supervisor.shutdown_grace_seconds` is killed. Ends `run()` with `exitCode`.
    func shutdown(reason: String, exitCode: Int32) async {
        guard state == .running || state == .starting else { return }
        state = .draining
        announceStopping(reason: reason)
        let grace = Duration.milliseconds(Int(config.supervisor.shutdownGraceSeconds * 1000))
        let deadline = ContinuousClock.now + grace
        logger.notice("shutting down", metadata: ["reason": "\(reason)", "grace_seconds": "\(config.supervisor.shutdownGraceSeconds)"])

        // Our copy of the web socket goes first: once the web worker has closed its own (when it quiesces, at most
        // two seconds after the stop signal), nothing holds the port, so new connections are refused and a
        // balancer or client retries elsewhere, instead of being queued until the whole drain is over. The metrics
        // port answers /ready (503) until the others have drained.
        sockets.removeValue(forKey: .web)?.close()
        let first = children.filter { $0.value.role != .metrics }.map(\.key)
        await terminate(first, until: deadline)
        sockets.removeValue(forKey: .metrics)?.close()
        let rest = Array(children.keys)
        await terminate(rest, until: deadline)
        if !children.isEmpty {
            for pid in children.keys { kill(pid, SIGKILL) }
            logger.warning("killed workers that outlived the grace period", metadata: ["pids": "\(children.keys.sorted())"])
            for pid in children.keys { var status: Int32 = 0; waitpid(pid, &status, 0) }
            children.removeAll()
        }
        finish(exitCode)
    }

    /// Sends SIGTERM to `pids` and waits until the reaper has collected them or the deadline passes.
    private func terminate(_ pids: [Int32], until deadline: ContinuousClock.Instant) async {
        for pid in pids { kill(pid, SIGTERM) }
        while ContinuousClock.now < deadline, pids.contains(where: { children[$0] != nil }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
