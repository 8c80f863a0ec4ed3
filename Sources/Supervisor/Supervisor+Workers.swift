import FoundationEssentials
import Logging
import NTConfig
import NTIPC
import NTSystem
import NTWorkerKit
#if canImport(Glibc)
import Glibc
#endif

extension Supervisor {
    /// Starts a process for `role` and makes it the role's current process. Returns its pid, or nil on failure
    /// (which is then handled like a crash at start).
    @discardableResult
    func startWorker(_ role: WorkerRole) -> Int32? {
        do {
            let pid = try spawn(role)
            children[pid] = ChildRecord(role: role, retiring: false)
            slots[role]?.pid = pid
            slots[role]?.ready = false
            slots[role]?.startedAt = .now
            slots[role]?.startedAtUnix = WallClock.secondsSinceEpoch()
            logger.info("worker spawned", metadata: ["role": "\(role.rawValue)", "child_pid": "\(pid)"])
            Task { await self.awaitReadiness(role: role, pid: pid) }
            return pid
        } catch {
            logger.error("worker spawn failed", metadata: ["role": "\(role.rawValue)", "error": "\(error)"])
            Task { await self.workerEnded(role: role, pid: nil, status: .exited(127)) }
            return nil
        }
    }

    /// `posix_spawn`s this binary as `worker <role>`, with the role's listening socket as fd 3 and the resolved
    /// config as JSON on a pipe at fd 4.
    private func spawn(_ role: WorkerRole) throws -> Int32 {
        let pipe = try FileDescriptorIO.makePipe()
        defer { close(pipe.read) }
        var descriptors = [Spawner.Inherited(source: pipe.read, target: WorkerEnvironment.configFD)]
        if let socket = sockets[role] {
            descriptors.append(.init(source: socket.fd, target: WorkerEnvironment.listenFD))
        }
        var env = environment
        env[WorkerEnvironment.supervisorPID] = String(getpid())
        for key in SystemdNotifier.environmentKeys { env[key] = nil }  // only the supervisor talks to systemd
        let pid: Int32
        do {
            pid = try Spawner.spawn(
                executable: executable, arguments: ["worker", role.rawValue], environment: env, descriptors: descriptors
            )
        } catch {
            close(pipe.write)
            throw error
        }
        let json = (try? JSONEncoder().encode(config)).map { [UInt8]($0) } ?? []
        try? FileDescriptorIO.writeAll(pipe.write, json)
        close(pipe.write)
        return pid
    }

    /// Polls the worker's socket until it reports `ready` (or it dies, or ``readinessLimitSeconds`` pass).
    func awaitReadiness(role: WorkerRole, pid: Int32) async {
        let path = RunDirectory(path: config.resolvedRunDir).workerSocket(role: role, pid: pid)
        let deadline = ContinuousClock.now + .milliseconds(Int(readinessLimitSeconds * 1000))
        while ContinuousClock.now < deadline, children[pid] != nil {
            if let answer = try? await IPCClient.request(path: path, command: "ping", timeout: 0.5), answer == "ready" {
                if slots[role]?.pid == pid {
                    slots[role]?.ready = true
                    logger.info("worker ready", metadata: ["role": "\(role.rawValue)", "child_pid": "\(pid)"])
                    announceServingIfReady()
                }
                return
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        if children[pid] != nil {
            logger.warning("worker not ready in time", metadata: ["role": "\(role.rawValue)", "child_pid": "\(pid)", "seconds": "\(readinessLimitSeconds)"])
        }
    }

    /// Reaps ended children whenever one ends (``ChildExitWatch``: no polling while all run). Reaping with
    /// `waitpid(-1)` (rather than per pid) collects orphans re-parented to us as PID 1 or subreaper too.
    func reapLoop() async {
        let exits = ChildExitWatch()
        while !Task.isCancelled {
            for (pid, status) in ChildReaper.reapExited() {
                guard let record = children.removeValue(forKey: pid) else {
                    logger.debug("reaped an adopted orphan", metadata: ["child_pid": "\(pid)", "status": "\(status)"])
                    continue
                }
                // A killed worker cannot remove its socket; a clean exit has already.
                unlink(RunDirectory(path: config.resolvedRunDir).workerSocket(role: record.role, pid: pid))
                if record.retiring {
                    logger.info("retired worker exited", metadata: ["role": "\(record.role.rawValue)", "child_pid": "\(pid)", "status": "\(status)"])
                    continue
                }
                await workerEnded(role: record.role, pid: pid, status: status)
            }
            await exits.childEnded()
        }
    }

    /// A role's current process ended (or never started): restart it with back-off, or stop on a crash loop.
    func workerEnded(role: WorkerRole, pid: Int32?, status: ExitStatus) async {
        guard let slot = slots[role], slot.pid == pid || pid == nil else { return }
        slots[role]?.pid = nil
        slots[role]?.ready = false
        guard state == .running || state == .starting else {
            logger.info("worker exited", metadata: ["role": "\(role.rawValue)", "child_pid": "\(pid ?? 0)", "status": "\(status)"])
            return
        }
        if restoreProbationFailed(role: role, status: "\(status)") {
            logger.error("worker died on the restored database; putting the previous database back", metadata: ["role": "\(role.rawValue)", "child_pid": "\(pid ?? 0)", "status": "\(status)"])
            return
        }
        let ranFor = ContinuousClock.now - slot.startedAt
        let decision = policy.workerDied(role: role.rawValue, ranFor: ranFor, becameReady: slot.ready, now: .now)
        switch decision {
        case .restart(let delay):
            logger.error(
                "worker died; restarting",
                metadata: [
                    "role": "\(role.rawValue)", "child_pid": "\(pid ?? 0)", "status": "\(status)",
                    "backoff_ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
                ]
            )
            announceRestart(role, status: status, delay: delay)
            Task {
                try? await Task.sleep(for: delay)
                self.restartIfStillDown(role)
            }
        case .giveUp(let count):
            logger.critical(
                "worker is crash-looping; stopping the appliance",
                metadata: ["role": "\(role.rawValue)", "restarts_in_window": "\(count)", "status": "\(status)"]
            )
            // Not awaited: this runs on the reaper's task, which must go on reaping while the others drain.
            Task { await self.shutdown(reason: "crash loop of the \(role.rawValue) worker", exitCode: 70) }
        }
    }

    func restartIfStillDown(_ role: WorkerRole) {
        guard state == .running, !restoreState.swapping, slots[role]?.pid == nil else { return }
        slots[role]?.restarts += 1
        startWorker(role)
    }

    /// Replaces a role's process without a gap: the new one starts (on `socket` if given, else the current
    /// one), and only once it is ready is the old one told to drain. Used for config changes and by the watchdog.
    func rollingRestart(_ role: WorkerRole, socket: ListeningSocket? = nil) async {
        defer { replacing.remove(role) }
        guard state == .running, !restoring else { return }
        replacing.insert(role)
        let old = slots[role]?.pid
        let oldSocket = sockets[role]
        if let socket { sockets[role] = socket }
        if let old { children[old]?.retiring = true }
        slots[role]?.restarts += 1
        guard let new = startWorker(role) else { return }
        await awaitReadiness(role: role, pid: new)
        let portMoved = socket != nil && oldSocket != nil && socket?.fd != oldSocket?.fd
        if portMoved {
            // Nobody takes the old socket over: with our copy closed and the draining worker's closed at once, the
            // old port refuses new connections (the draining worker keeps the connections it has).
            oldSocket?.close()
            if role == .web, let old { await closeListeners(of: [old]) }
        }
        if let old {
            kill(old, SIGTERM)
            logger.info("old worker told to drain", metadata: ["role": "\(role.rawValue)", "child_pid": "\(old)"])
        }
    }
}
