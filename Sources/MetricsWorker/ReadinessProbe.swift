import NTBackup
import NTIPC
import NTStorage
import NTWorkerKit

/// Answers `/ready`: the database answers a query, the web worker is up and ready, and the appliance is not
/// draining. Each check is named in the body so an operator sees which one failed.
actor ReadinessProbe {
    struct Report: Codable, Sendable {
        let ready: Bool
        let status: String
        let checks: [String: String]
        /// Facts that do not decide readiness (the appliance serves history without an upstream key).
        let notes: [String: String]
    }

    let context: WorkerContext
    private var database: SQLiteDatabase?

    init(context: WorkerContext) throws {
        self.context = context
    }

    func check() async -> Report {
        var checks: [String: String] = [:]
        checks["database"] = databaseCheck()
        do {
            let text = try await IPCClient.request(path: context.runDirectory.controlSocket, command: "status", timeout: 1)
            let status = try SupervisorStatus.decode(text)
            checks["supervisor"] = status.state == "running" ? "ok" : status.state
            let web = status.worker(.web)
            checks["web"] = web?.ready == true ? "ok" : (web?.up == true ? "starting" : "down")
        } catch {
            checks["supervisor"] = "unreachable"
            checks["web"] = "unknown"
        }
        let ready = checks.values.allSatisfy { $0 == "ok" }
        let hasKey = !(context.config.current.upstreamAPIKey ?? "").isEmpty
        let notes = [
            "upstream": hasKey
                ? "api key configured"
                : "no api key: set OPENROUTER_API_KEY or upstream.api_key_file (or run `make demo`)",
            "backup": Self.backupNote(directory: context.config.current.resolvedBackupDir),
        ]
        return Report(
            ready: ready, status: ready ? "ready" : (checks["supervisor"] == "draining" ? "draining" : "not ready"),
            checks: checks, notes: notes
        )
    }

    private func databaseCheck() -> String {
        do {
            if database == nil {
                database = try SQLiteDatabase(path: context.config.current.storage.dataDir + "/neural-terminal.db", readOnly: true)
            }
            guard let version = try database?.scalarInt("SELECT MAX(version) FROM schema_migrations"), version > 0 else {
                return "no schema"
            }
            return "ok"
        } catch {
            database = nil
            return "error: \(error)"
        }
    }

    /// The newest backup's age, so `/ready` tells the truth about backups without making them a readiness
    /// condition (serving does not depend on them; alert on `backup_last_success_timestamp_seconds`).
    static func backupNote(directory: String, now: UTCTime = .now()) -> String {
        guard let newest = BackupCatalog.list(directory).first else { return "no backup yet in \(directory)" }
        let hours = Double(now.unix - newest.time.unix) / 3600
        return "newest backup \(newest.time.iso8601) (\(Int(hours)) h ago): \(newest.name)"
    }
}
