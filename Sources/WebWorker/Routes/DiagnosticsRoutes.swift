import Hummingbird
import NTBackup
import NTChat
import NTHTTP
import NTIPC
import NTStorage
import NTSystem
import NTWorkerKit
#if canImport(Glibc)
import Glibc
#endif

/// `GET /api/diagnostics`: what the SYSTEM DIAGNOSTICS view shows. Each check is named with its result, so a
/// degraded appliance says which part is wrong; nothing here can fail the request as a whole.
struct DiagnosticsRoutes: Sendable {
    let probe: DiagnosticsProbe

    func add(to table: RouteTable) {
        table.add(.get, "/api/diagnostics") { _, _ in
            JSONBody.response(await probe.report())
        }
    }
}

/// Gathers the diagnostics: the database, the upstream key, free disk, and the supervisor's view of the workers.
struct DiagnosticsProbe: Sendable {
    /// Below this much free space on the data directory's file system, `disk` reports `low`.
    static let lowDiskBytes: UInt64 = 256 << 20

    let controlSocket: String
    let dataDir: @Sendable () -> String
    let hasAPIKey: @Sendable () -> Bool
    /// This web worker's circuit breaker, when the chat engine has one.
    var breaker: @Sendable () -> BreakerSnapshot? = { nil }
    /// Where backups are written (the newest one is reported).
    var backupDir: @Sendable () -> String? = { nil }
    /// The latest verdict on the upstream key, when a monitor runs.
    var keyStatus: @Sendable () -> UpstreamKeyStatus? = { nil }
    /// The database to check: the SQLite file in the data directory unless the configuration names a server.
    var database: @Sendable () -> DatabaseLocation? = { nil }

    /// A probe for a worker started by the supervisor.
    init(context: WorkerContext, breaker: CircuitBreaker? = nil, keyMonitor: KeyStatusMonitor? = nil) {
        let config = context.config
        self.init(
            controlSocket: context.runDirectory.controlSocket,
            dataDir: { config.current.storage.dataDir },
            hasAPIKey: { !(config.current.upstreamAPIKey ?? "").isEmpty }
        )
        self.breaker = { breaker?.snapshot }
        self.backupDir = { config.current.resolvedBackupDir }
        self.keyStatus = { keyMonitor?.current }
        self.database = { try? config.current.databaseLocation() }
    }

    init(controlSocket: String, dataDir: @escaping @Sendable () -> String, hasAPIKey: @escaping @Sendable () -> Bool) {
        self.controlSocket = controlSocket
        self.dataDir = dataDir
        self.hasAPIKey = hasAPIKey
    }

    /// A probe with no supervisor to ask and no data directory: reports `degraded` (for route-listing tests).
    static var detached: DiagnosticsProbe {
        DiagnosticsProbe(controlSocket: "/nonexistent/control.sock", dataDir: { "/nonexistent" }, hasAPIKey: { false })
    }

    func report() async -> DiagnosticsReport {
        let dir = dataDir()
        let checks = [
            "database": Self.databaseCheck(database() ?? .sqlite(path: DatabaseLocation.sqliteFile(in: dir))),
            "upstream": Self.upstreamCheck(hasKey: hasAPIKey(), status: keyStatus()),
            "disk": Self.diskCheck(path: dir),
        ]
        var supervisor = DiagnosticsReport.SupervisorInfo(state: "unreachable", pid: nil, uptimeSeconds: nil)
        var workers: [SupervisorStatus.Worker] = []
        if let text = try? await IPCClient.request(path: controlSocket, command: "status", timeout: 1),
           let status = try? SupervisorStatus.decode(text) {
            supervisor = .init(state: status.state, pid: status.pid, uptimeSeconds: status.uptimeSeconds)
            workers = status.workers
        }
        let healthy = checks.values.allSatisfy { $0 == "ok" } && supervisor.state == "running"
            && !workers.isEmpty && workers.allSatisfy { $0.up && $0.ready }
        let newest = backupDir().flatMap { BackupCatalog.list($0).first }
        return DiagnosticsReport(
            status: healthy ? "ok" : "degraded", version: VersionRoutes.Version.current, checks: checks,
            workers: workers.map(DiagnosticsReport.WorkerInfo.init), supervisor: supervisor,
            circuitBreaker: breaker(),
            lastBackup: newest.map { DiagnosticsReport.BackupInfo(name: $0.name, createdAt: $0.time.iso8601) }
        )
    }

    /// `ok` unless there is no key or the upstream rejected it (an unverified key is not a fault here).
    static func upstreamCheck(hasKey: Bool, status: UpstreamKeyStatus?) -> String {
        guard hasKey else { return "no api key: set OPENROUTER_API_KEY or upstream.api_key_file" }
        return status?.state == .invalid ? "invalid api key: the upstream rejected it" : "ok"
    }

    /// `ok` when the schema is in place, else what went wrong (read-only, so it never creates the file).
    static func databaseCheck(_ location: DatabaseLocation) -> String {
        do {
            let database: any DatabaseConnection = switch location {
            case .sqlite(let path): try SQLiteDatabase(path: path, readOnly: true)
            case .postgres: try location.open(applicationName: "neural-terminal diagnostics")
            }
            guard let version = try database.scalarInt("SELECT MAX(version) FROM schema_migrations"), version > 0 else {
                return "error: no schema"
            }
            return "ok"
        } catch {
            return "error: \(error)"
        }
    }

    /// `ok`, or `low: N MB free` under ``lowDiskBytes``, from `statvfs` on the data directory.
    static func diskCheck(path: String) -> String {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return "error: statvfs failed (errno \(errno))" }
        let free = UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
        return free < lowDiskBytes ? "low: \(free >> 20) MB free" : "ok"
    }
}

/// The body of `GET /api/diagnostics` (snake_case, every key present; unknown parts are null).
struct DiagnosticsReport: Encodable, Sendable {
    struct WorkerInfo: Encodable, Sendable {
        let role: String
        let pid: Int32?
        let up: Bool
        let ready: Bool
        let uptimeSeconds: Double
        let restarts: Int
        let rssBytes: Int?

        init(_ worker: SupervisorStatus.Worker) {
            role = worker.role
            pid = worker.pid
            up = worker.up
            ready = worker.ready
            uptimeSeconds = worker.uptimeSeconds
            restarts = worker.restarts
            rssBytes = worker.rssBytes
        }

        enum CodingKeys: String, CodingKey {
            case role, pid, up, ready, restarts
            case uptimeSeconds = "uptime_seconds"
            case rssBytes = "rss_bytes"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(role, forKey: .role)
            try c.encode(pid, forKey: .pid)
            try c.encode(up, forKey: .up)
            try c.encode(ready, forKey: .ready)
            try c.encode(uptimeSeconds, forKey: .uptimeSeconds)
            try c.encode(restarts, forKey: .restarts)
            try c.encode(rssBytes, forKey: .rssBytes)
        }
    }

    struct SupervisorInfo: Encodable, Sendable {
        let state: String
        let pid: Int32?
        let uptimeSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case state, pid
            case uptimeSeconds = "uptime_seconds"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(state, forKey: .state)
            try c.encode(pid, forKey: .pid)
            try c.encode(uptimeSeconds, forKey: .uptimeSeconds)
        }
    }

    /// The newest backup file in the backup directory (its time is in its name).
    struct BackupInfo: Encodable, Sendable {
        let name: String
        let createdAt: String

        enum CodingKeys: String, CodingKey {
            case name
            case createdAt = "created_at"
        }
    }

    let status: String
    let version: VersionRoutes.Version
    let checks: [String: String]
    let workers: [WorkerInfo]
    let supervisor: SupervisorInfo
    /// The web worker's circuit breakers (the upstream's, and models' with something to report).
    let circuitBreaker: BreakerSnapshot?
    let lastBackup: BackupInfo?

    enum CodingKeys: String, CodingKey {
        case status, version, checks, workers, supervisor
        case circuitBreaker = "circuit_breaker"
        case lastBackup = "last_backup"
    }
}
