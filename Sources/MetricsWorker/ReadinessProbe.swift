import FoundationEssentials
import NTBackup
import NTIPC
import NTStorage
import NTSystem
import NTWorkerKit

/// Answers `/ready`: the database can take writes, the web worker is up and ready, the appliance is not
/// draining, and the upstream has not rejected the API key. Each check is named in the body so an operator
/// sees which one failed.
///
/// `/ready` is open to anyone who can reach the metrics listener, so it says nothing about versions, paths,
/// keys or error texts: checks are short words (`ok`, `error`, `down`, `invalid`), and the notes state facts an
/// operator needs (the key's verdict and remaining credit, the newest backup's age, and whether the last restore
/// stood or was rolled back).
actor ReadinessProbe {
    struct Report: Codable, Sendable {
        let ready: Bool
        let status: String
        let checks: [String: String]
        /// Facts that do not decide readiness (the appliance serves history without an upstream key).
        let notes: [String: String]
    }

    /// How long `/ready` waits for the web worker's cached key verdict; the answer needs no upstream call.
    static let keyStatusTimeout = 0.5

    let context: WorkerContext
    private var database = DatabaseHealthProbe(lockedAfter: .seconds(5))

    init(context: WorkerContext) throws {
        self.context = context
    }

    func check() async -> Report {
        var checks: [String: String] = [:]
        checks["database"] = databaseCheck()
        var webSocket: String?
        var restore: SupervisorStatus.RestoreNote?
        do {
            let text = try await IPCClient.request(path: context.runDirectory.controlSocket, command: "status", timeout: 1)
            let status = try SupervisorStatus.decode(text)
            restore = status.restore
            checks["supervisor"] = status.state == "running" ? "ok" : status.state
            let web = status.worker(.web)
            checks["web"] = web?.ready == true ? "ok" : (web?.up == true ? "starting" : "down")
            if let pid = web?.pid { webSocket = context.runDirectory.workerSocket(role: .web, pid: pid) }
        } catch {
            checks["supervisor"] = "unreachable"
            checks["web"] = "unknown"
        }
        let key = await keyStatus(socket: webSocket)
        checks["upstream_key"] = key.state
        let ready = Self.isReady(checks)
        var notes = ["backup": Self.backupNote(directory: context.config.current.resolvedBackupDir)]
        notes["upstream"] = key.summary
        if let restore { notes["restore"] = "\(restore.at): \(restore.detail)" }
        return Report(
            ready: ready, status: ready ? "ready" : (checks["supervisor"] == "draining" ? "draining" : "not ready"),
            checks: checks, notes: notes
        )
    }

    /// Every check must be `ok`, except `upstream_key`, which only blocks when the upstream rejected the key
    /// (`invalid`): an unverified key (`unknown`, `unsupported`) or no key (`none`) leaves the appliance ready,
    /// since it still serves history, search and exports, and an unreachable upstream is not its fault.
    static func isReady(_ checks: [String: String]) -> Bool {
        checks.allSatisfy { name, value in name == "upstream_key" ? value != "invalid" : value == "ok" }
    }

    /// The web worker's cached verdict (state and one-line summary); `unknown` when it cannot be asked.
    private func keyStatus(socket: String?) async -> (state: String, summary: String) {
        guard let socket,
              let text = try? await IPCClient.request(path: socket, command: "upstream-key", timeout: Self.keyStatusTimeout),
              let status = try? JSONDecoder().decode(KeyVerdict.self, from: Data(text.utf8)) else {
            return ("unknown", "api key not verified: the web worker did not answer")
        }
        return (status.state, status.summary)
    }

    /// `ok`, `locked` (another process has held the write lock as long as a write waits), `full` (too little
    /// free space for writes), `error` (missing, unreadable or damaged file, no schema) or `unreachable`
    /// (PostgreSQL does not answer), from a fresh look each time (see ``DatabaseHealth``).
    private func databaseCheck() -> String {
        guard let location = try? context.config.current.databaseLocation() else { return DatabaseHealth.error.rawValue }
        let (state, detail) = database.check(location: location)
        if state != "ok" {
            // The detail names SQLite's message; it goes to the log, not to the open probe.
            context.logger.warning("readiness: database check failed", metadata: ["state": "\(state)", "error": "\(detail)"])
        }
        return state
    }

    /// The newest backup's age, so `/ready` tells the truth about backups without making them a readiness
    /// condition (serving does not depend on them; alert on `neural_terminal_backup_last_success_timestamp_seconds`). Neither
    /// the directory nor the file name is shown: the probe is unauthenticated.
    static func backupNote(directory: String, now: UTCTime = .now()) -> String {
        guard let newest = BackupCatalog.list(directory).first else { return "no backup yet" }
        let hours = Double(now.unix - newest.time.unix) / 3600
        return "newest backup \(newest.time.iso8601) (\(Int(hours)) h ago)"
    }
}

/// The web worker's `upstream-key` answer: the verdict (`valid`, `invalid`, `unknown`, `unsupported`, `none`)
/// and the sentence for the notes, which holds the remaining credit and never the key.
struct KeyVerdict: Decodable {
    let state: String
    let summary: String
}
