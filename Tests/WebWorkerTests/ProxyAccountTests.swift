import Foundation
import Logging
import NTAuth
import NTConfig
import NTStorage
import NTWorkerKit
import Testing
@testable import WebWorker

@Suite("Accounts made on first sight behind a proxy")
struct ProxyAccountTests {
    @Test("many first requests at once, in two web workers, all get the one account a single insert made")
    func firstRequestsRace() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nt-proxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("db.sqlite").path
        try Migrator(database: SQLiteDatabase(path: path)).migrate()
        // Two gates with their own connections: two web workers during a rolling restart, or one worker's burst.
        let gates = try (0..<2).map { _ in
            AuthGate(store: try AuthStore(path: path), config: ConfigStore(AppConfig()), logger: Logger(label: "test"))
        }
        for round in 0..<5 {
            let name = "first-sight-\(round)"
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for index in 0..<16 {
                    group.addTask { try await gates[index % 2].proxyAccount(named: name, create: true)?.id }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(ids.count == 16 && Set(ids).count == 1 && ids.first! != nil, "round \(round): \(ids)")
            let made = try await gates[0].store.accounts().filter { $0.name == name }
            #expect(made.count == 1 && made.first?.role == .member && made.first?.hasPassword == false)
        }
        #expect(try await gates[1].proxyAccount(named: "nobody-yet", create: false) == nil, "without create nothing is made")
        #expect(try await gates[1].store.account(named: "nobody-yet") == nil)
    }
}
