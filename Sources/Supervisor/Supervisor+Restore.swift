import Logging
import NTBackup
import NTFiles
import NTStorage
import NTSystem
import NTWorkerKit
#if canImport(Glibc)
import Glibc
#endif

extension Supervisor {
    /// Swaps in a verified, staged database (`neural-terminal restore` prepared it beside the database) while the
    /// appliance runs. The writers (web and maintenance workers) are stopped first (in-flight streams drain,
    /// within `supervisor.shutdown_grace_seconds`); new connections wait in the listening socket's queue, which
    /// the supervisor holds. Then the file is replaced in one `rename()` (the old one kept aside), migrated forward
    /// if it is older, and the workers start again on it; the metrics worker is replaced too, since it keeps a
    /// connection open. No worker ever sees a half-restored database: none runs while the rename happens.
    ///
    /// The workers are then on probation (``RestoreWatch``) for `supervisor.crash_loop_window_seconds`: if the
    /// web worker is not ready within ``readinessLimitSeconds``, or the writers exit twice, the previous
    /// database is put back (here, or later by ``rollBackRestore(reason:)``), logged, and shown in `status` and
    /// `/ready`'s notes. Whichever way it ends, both writers are started again.
    func restore(staged: String) async -> String {
        guard state == .running else { return RestoreReport(ok: false, error: "the appliance is not running").encoded() }
        guard !restoring else { return RestoreReport(ok: false, error: "a restore is already in progress").encoded() }
        guard Self.isStagedRestore(staged, dataDir: config.storage.dataDir) else {
            return RestoreReport(ok: false, error: "no staged database at \(staged)").encoded()
        }
        restoring = true
        defer { restoring = false }
        let database = Self.databasePath(config)
        logger.notice("restore: stopping the writers", metadata: ["staged": "\(staged)"])
        await stopWriters()

        var outcome = RestoreReport(ok: false)
        do {
            let installed = try Restore.install(staged: staged, database: database)
            outcome = RestoreReport(ok: true, aside: installed.aside, schemaVersion: installed.schemaVersion)
            restoreState.watch = RestoreWatch(aside: installed.aside, window: .seconds(config.supervisor.crashLoopWindowSeconds))
            noteRestore("watching", "restored; the workers are on probation on the restored database")
            logger.notice("restore: database swapped", metadata: ["kept_aside": "\(installed.aside)", "schema_version": "\(installed.schemaVersion)"])
        } catch {
            switch error {
            case .swap(let reason):
                FileOps.remove(staged)
                outcome = RestoreReport(ok: false, error: "swap failed: \(reason); the previous database is unchanged")
                logger.error("restore: swap failed", metadata: ["error": "\(reason)"])
            case .migration(let aside, let reason):
                outcome = RestoreReport(ok: false, error: putBack(aside: aside, reason: "migrating the restored database failed", detail: reason))
            }
        }

        await startWriters()
        if outcome.ok, state != .running {
            // A SIGTERM came during the restore: the restored database stays (it passed every check and its
            // migrations); nothing runs on it now, so there is nothing to watch.
            restoreState.watch = nil
            noteRestore("restored", "restored; the appliance stopped before the workers started on it")
        }
        if outcome.ok, let watch = restoreState.watch {
            await awaitWebOrFailures()
            // The watch decides even when the web worker came up: a maintenance worker that failed twice
            // was not restarted (restoreProbationFailed left that to this rollback).
            let verdict = restoreState.watch ?? watch
            if let reason = verdict.rollbackReason(webReady: slots[.web]?.ready == true, readyLimit: readinessLimitSeconds) {
                restoreState.watch = nil
                await stopWriters()
                outcome = RestoreReport(ok: false, error: putBack(aside: watch.aside, reason: reason))
                await startWriters()
                await awaitWebOrFailures()
            }
        }
        restoring = false
        await rollingRestart(.metrics)
        logger.notice("restore: writers resumed", metadata: ["ok": "\(outcome.ok)"])
        return outcome.encoded()
    }

    /// The workers failed on the restored database after the restore request ended: stop the writers, put the
    /// previous database back, start them again.
    func rollBackRestore(reason: String) async {
        guard state == .running, !restoring, let watch = restoreState.watch else {
            // Nothing to roll back (any more): the writer whose exit decided it still needs its restart.
            for role in [WorkerRole.web, .maintenance] { restartIfStillDown(role) }
            return
        }
        restoreState.watch = nil
        restoring = true
        await stopWriters()
        _ = putBack(aside: watch.aside, reason: reason)
        await startWriters()
        await awaitWebOrFailures()
        restoring = false
        await rollingRestart(.metrics)
    }

    /// A writer's process ended while the workers are on probation: true when it was the failure that decides a
    /// rollback (the caller then skips its usual restart, so a crash loop never stops the appliance first). The
    /// restore request rolls back itself while it runs; afterwards a task does.
    func restoreProbationFailed(role: WorkerRole, status: String) -> Bool {
        guard role != .metrics, var watch = restoreState.watch else { return false }
        guard watch.isActive() else {
            restoreState.watch = nil
            noteRestore("restored", "restored; the workers ran on the restored database through their probation")
            return false
        }
        let decided = watch.record(role: role, status: status)
        restoreState.watch = watch
        logger.warning("restore: a worker exited on the restored database", metadata: ["role": "\(role.rawValue)", "status": "\(status)"])
        guard decided else { return false }
        if !restoring { Task { await self.rollBackRestore(reason: watch.summary) } }
        return true
    }

    /// What `status` and `/ready` say about the last restore (`watching` turns into `restored` once the
    /// probation has passed).
    func restoreNote() -> SupervisorStatus.RestoreNote? {
        if let watch = restoreState.watch, !watch.isActive() {
            restoreState.watch = nil
            noteRestore("restored", "restored; the workers ran on the restored database through their probation")
        }
        return restoreState.note
    }

    /// Puts the database kept at `aside` back (writers stopped); returns the sentence for the report.
    ///
    /// `reason` is a fixed sentence without paths: it reaches `status` and the unauthenticated `/ready`.
    /// `detail` (an error's description, which may name files) goes to the log and the CLI's report only.
    private func putBack(aside: String, reason: String, detail: String? = nil) -> String {
        let because = detail.map { "\(reason): \($0)" } ?? reason
        let database = Self.databasePath(config)
        do {
            let failed = try Restore.rollBack(database: database, aside: aside)
            policy.forget(role: WorkerRole.web.rawValue)
            policy.forget(role: WorkerRole.maintenance.rawValue)
            noteRestore("rolled_back", "rolled back: \(reason); the previous database is back")
            logger.error("restore rolled back: the previous database is back", metadata: ["reason": "\(because)", "restored_kept_as": "\(failed)"])
            return "the restored database was rolled back: \(because); the previous database is back (the restored one is kept as \(failed))"
        } catch {
            noteRestore("rollback_failed", "rolling back failed: \(reason); the previous database could not be put back")
            logger.critical("restore: putting the previous database back failed", metadata: ["reason": "\(because)", "error": "\(error)", "kept_aside": "\(aside)"])
            return "\(because); putting the previous database back failed: \(error); it is kept as \(aside)"
        }
    }

    private func noteRestore(_ state: String, _ detail: String) {
        restoreState.note = .init(state: state, at: UTCTime.now().iso8601, detail: detail)
    }
}

extension Supervisor {
    /// Whether `path` is a file `neural-terminal restore` staged in this appliance's data directory.
    static func isStagedRestore(_ path: String, dataDir: String) -> Bool {
        guard let slash = path.lastIndex(of: "/"), path[path.index(after: slash)...].hasPrefix(".restore-"),
              FileOps.exists(path) else { return false }
        return canonical(String(path[..<slash])) == canonical(dataDir)
    }

    static func canonical(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
