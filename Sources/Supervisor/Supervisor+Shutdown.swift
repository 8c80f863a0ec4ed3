import Logging
import NTIPC
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

        // Stop accepting before draining: our copy of the web socket goes first, then each web worker closes its own
        // (asked over its private socket; a plain SIGTERM would keep the queue for a successor that never comes),
        // so the port refuses new connections and a balancer or client retries elsewhere at once, instead of being
        // queued until the drain is over. The metrics port answers /ready (503) until the others have drained.
        sockets.removeValue(forKey: .web)?.close()
        await closeListeners(of: children.filter { $0.value.role == .web }.map(\.key))
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

    /// Asks web workers whose stop is final to close their listening socket now; a worker that does not answer
    /// within half a second still closes it when it quiesces (at most two seconds after its SIGTERM).
    func closeListeners(of pids: [Int32]) async {
        guard !pids.isEmpty else { return }
        let run = RunDirectory(path: config.resolvedRunDir)
        let answers = await withTaskGroup(of: (Int32, String).self) { group in
            for pid in pids {
                let path = run.workerSocket(role: .web, pid: pid)
                group.addTask {
                    let answer = try? await IPCClient.request(path: path, command: WorkerCommands.closeListener, timeout: 0.5)
                    return (pid, answer ?? "unreachable")
                }
            }
            return await group.reduce(into: [Int32: String]()) { $0[$1.0] = $1.1 }
        }
        logger.info("web listeners closed", metadata: ["answers": "\(answers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" })"])
    }

    /// Sends SIGTERM to `pids` and waits until the reaper has collected them or the deadline passes.
    private func terminate(_ pids: [Int32], until deadline: ContinuousClock.Instant) async {
        for pid in pids { kill(pid, SIGTERM) }
        while ContinuousClock.now < deadline, pids.contains(where: { children[$0] != nil }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
