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
