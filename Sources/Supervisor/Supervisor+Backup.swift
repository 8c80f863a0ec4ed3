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
}
