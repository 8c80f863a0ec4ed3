import FoundationEssentials
import Logging
import NTArchive
import NTBackup
import NTIPC
import NTStorage
import NTWorkerKit
#if canImport(Glibc)
import Glibc
#endif

extension Supervisor {
    /// Asks the maintenance worker for a backup now (`neural-terminal backup`, SIGUSR1) and returns its
    /// ``BackupReport`` as JSON.
    func forwardBackup(trigger: String) async -> String {
        await forwardToMaintenance("backup", trigger: trigger) { error, reason in
            BackupReport(ok: false, error: error, reason: reason).encoded()
        }
    }

    /// Asks the maintenance worker for an archive run now (`neural-terminal archive`) and returns its
    /// ``ArchiveReport`` as JSON.
    func forwardArchive(trigger: String) async -> String {
        await forwardToMaintenance("archive", trigger: trigger) { error, reason in
            var report = ArchiveReport(ok: false)
            report.error = error
            report.reason = reason
            return report.encoded()
        }
    }

    /// Sends `command` to the maintenance worker's socket and returns its answer, or `failure(error, reason)`.
    private func forwardToMaintenance(
        _ command: String, trigger: String, failure: (String, String) -> String
    ) async -> String {
        guard !restoring else { return failure("a restore is in progress", "busy") }
        guard let pid = slots[.maintenance]?.pid, slots[.maintenance]?.ready == true else {
            return failure("the maintenance worker is not running", "unavailable")
        }
        let path = RunDirectory(path: config.resolvedRunDir).workerSocket(role: .maintenance, pid: pid)
        do {
            return try await IPCClient.request(path: path, command: command, argument: trigger, timeout: 24 * 3600)
        } catch {
            logger.error("\(command) request failed", metadata: ["trigger": "\(trigger)", "error": "\(error)"])
            return failure("\(error)", "unavailable")
        }
    }

    /// Swaps in a verified, staged database (`neural-terminal restore` prepared it beside the database) while the
    /// appliance runs. The writers (web and maintenance workers) are stopped first (in-flight streams drain,
    /// within `supervisor.shutdown_grace_seconds`); new connections wait in the listening socket's queue, which
    /// the supervisor holds. Then the file is swapped (the old one kept aside), migrated forward if it is older,
    /// and the workers start again on it; the metrics worker is replaced too, since it keeps a connection open.
    /// No worker ever sees a half-restored database: none runs while the rename happens.
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
        await stopForRestore([.web, .maintenance])

        var outcome = RestoreReport(ok: false)
        do {
            let aside = try Restore.swap(staged: staged, database: database)
            do {
                let migrated = try Migrator(database: SQLiteDatabase(path: database)).migrate()
                outcome = RestoreReport(ok: true, aside: aside, schemaVersion: migrated.version)
                logger.notice("restore: database swapped", metadata: ["kept_aside": "\(aside)", "schema_version": "\(migrated.version)"])
            } catch {
                // Put the previous database back rather than serve one that cannot be migrated.
                try? FileOps.rename(database, database + ".failed-restore")
                try? FileOps.rename(aside, database)
                if FileOps.exists(aside + "-wal") { try? FileOps.rename(aside + "-wal", database + "-wal") }
                outcome = RestoreReport(ok: false, error: "migration of the restored database failed: \(error); the previous database is back")
                logger.error("restore: migration failed; previous database put back", metadata: ["error": "\(error)"])
            }
        } catch {
            FileOps.remove(staged)
            outcome = RestoreReport(ok: false, error: "swap failed: \(error); the previous database is unchanged")
            logger.error("restore: swap failed", metadata: ["error": "\(error)"])
        }

        for role in [WorkerRole.web, .maintenance] { startWorker(role) }
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline, slots[.web]?.ready != true {
            try? await Task.sleep(for: .milliseconds(10))
        }
        restoring = false
        await rollingRestart(.metrics)
        logger.notice("restore: writers resumed", metadata: ["ok": "\(outcome.ok)"])
        return outcome.encoded()
    }

    /// Stops the current processes of `roles` without restarting them, waiting for them to drain (killing them
    /// after the shutdown grace period).
    private func stopForRestore(_ roles: [WorkerRole]) async {
        var pids: [Int32] = []
        for role in roles {
            guard let pid = slots[role]?.pid else { continue }
            children[pid]?.retiring = true
            slots[role]?.pid = nil
            slots[role]?.ready = false
            kill(pid, SIGTERM)
            pids.append(pid)
        }
        let deadline = ContinuousClock.now + .milliseconds(Int(config.supervisor.shutdownGraceSeconds * 1000) + 1000)
        while ContinuousClock.now < deadline, pids.contains(where: { children[$0] != nil }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
        for pid in pids where children[pid] != nil {
            kill(pid, SIGKILL)
            logger.warning("restore: killed a worker that did not drain in time", metadata: ["child_pid": "\(pid)"])
        }
        while pids.contains(where: { children[$0] != nil }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
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
