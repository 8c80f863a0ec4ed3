import Foundation
import Logging
import NTChat
import NTStorage
import PostgresTestSupport

extension TempDatabase {
    /// A runner registered on a connection of its own, as each instance's web worker registers at its start
    /// (PostgreSQL); nil on SQLite, which has none.
    func runner(_ name: String) throws -> RunnerPresence? {
        guard engine == .postgres,
              case .postgres(let url, let password) = try DatabaseLocation(url: database.url ?? "", password: TestPostgres.password, dataDir: "")
        else { return nil }
        return try RunnerPresence(url: url, password: password, instance: name, host: "test-host", pid: getpid(),
                                  applicationName: "tests runner \(name)")
    }

    /// Ends the database session of the runner `name` as a restart of PostgreSQL or a cut network would, its process
    /// living on, and waits until the session is gone; returns how many it ended.
    @discardableResult
    func endSession(ofRunner name: String) throws -> Int {
        let db = try connection()
        let pids = try db.prepare(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tests runner \(name)'"
        )
        var found: [Int] = []
        while try pids.step() { found.append(pids.int(0)) }
        return try found.filter { try db.scalarInt("SELECT CASE WHEN pg_terminate_backend(\($0), 5000) THEN 1 ELSE 0 END") == 1 }.count
    }

    /// How many budget reservations the database holds (all, or `ownerID`'s).
    func reservations(ownerID: String? = nil) throws -> Int {
        try connection().scalarInt("SELECT COUNT(*) FROM budget_reservations" + (ownerID.map { " WHERE owner_id = '\($0)'" } ?? "")) ?? -1
    }
}

extension ChatService {
    /// The chat service of one instance's web worker: its own repository connection, upstream and runner.
    static func instance(
        _ repository: any ChatRepository, _ upstream: any ChatUpstream, presence: RunnerPresence?, flush: Duration = .milliseconds(20)
    ) -> ChatService {
        ChatService(repository: repository, upstream: upstream, workerPID: getpid(), logger: Logger(label: "test"), presence: presence) {
            ChatSettings(defaultModel: "fake/lorem", flushInterval: flush, defaultMaxTokens: 4096, retry: .none)
        }
    }
}
