import FoundationEssentials

/// The answer to `status` on the control socket (and so of `neural-terminal status` and `/ready`).
public struct SupervisorStatus: Codable, Sendable {
    public struct Worker: Codable, Sendable {
        public let role: String
        public let pid: Int32?
        public let up: Bool
        public let ready: Bool
        public let uptimeSeconds: Double
        public let restarts: Int
        public let rssBytes: Int?

        public init(role: String, pid: Int32?, up: Bool, ready: Bool, uptimeSeconds: Double, restarts: Int, rssBytes: Int?) {
            self.role = role
            self.pid = pid
            self.up = up
            self.ready = ready
            self.uptimeSeconds = uptimeSeconds
            self.restarts = restarts
            self.rssBytes = rssBytes
        }
    }
    /// The last restore while this supervisor ran: whether it stood or was rolled back, and why.
    public struct RestoreNote: Codable, Sendable, Equatable {
        /// `watching` (the workers are on probation on the restored database), `restored` (it stood),
        /// `rolled_back` (the workers failed on it and the previous database is back), `rollback_failed`.
        public let state: String
        /// When this state began (ISO 8601, UTC).
        public let at: String
        /// One sentence for operators; names no path, since `/ready` shows it unauthenticated.
        public let detail: String

        public init(state: String, at: String, detail: String) {
            self.state = state
            self.at = at
            self.detail = detail
        }
    }
    public let state: String
    public let pid: Int32
    public let uptimeSeconds: Double
    public let configPath: String
    public let workers: [Worker]
    /// Absent until a restore happened.
    public let restore: RestoreNote?

    public init(state: String, pid: Int32, uptimeSeconds: Double, configPath: String, workers: [Worker], restore: RestoreNote? = nil) {
        self.state = state
        self.pid = pid
        self.uptimeSeconds = uptimeSeconds
        self.configPath = configPath
        self.workers = workers
        self.restore = restore
    }

    /// The JSON form used on the control socket: snake_case keys, sorted.
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Parses what ``encoded()`` produced.
    public static func decode(_ text: String) throws -> SupervisorStatus {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(SupervisorStatus.self, from: Data(text.utf8))
    }
}


extension SupervisorStatus {
    /// The status of one role, if the supervisor reported it.
    public func worker(_ role: WorkerRole) -> Worker? {
        workers.first { $0.role == role.rawValue }
    }
}
