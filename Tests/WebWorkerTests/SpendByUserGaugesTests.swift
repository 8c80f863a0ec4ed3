import Foundation
import NTAuth
import NTChat
import NTMetrics
import NTStorage
import NTSystem
import Synchronization
import Testing
@testable import WebWorker

@Suite("Spend per person as metrics, bounded")
struct SpendByUserGaugesTests {
    /// Spend of the given accounts today and this month; nothing else.
    final class Spenders: SpendStore, Sendable {
        let owners: Mutex<[(ownerID: String, spend: Spend)]>
        init(_ owners: [(ownerID: String, spend: Spend)]) { self.owners = Mutex(owners) }
        func spend(day: UTCDay, conversationID: String?) async throws -> Spend { Spend() }
        func spend(day: UTCDay, ownerID: String) async throws -> Spend { Spend() }
        func spendByDay(from: UTCDay, to: UTCDay) async throws -> [UTCDay: Double] { [:] }
        func spendByModel(from: UTCDay, to: UTCDay) async throws -> [ModelSpend] { [] }
        func spendByDay(from: UTCDay, to: UTCDay, ownerID: String) async throws -> [UTCDay: Double] { [:] }
        func spendByModel(from: UTCDay, to: UTCDay, ownerID: String) async throws -> [ModelSpend] { [] }
        func spendByOwner(day: UTCDay) async throws -> [(ownerID: String, spend: Spend)] { owners.withLock { $0 } }
    }

    @Test("each account gets a series by name up to the bound; above it none, and the suppression says so")
    func bounded() async throws {
        let registry = MetricsRegistry.bootstrap()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nt-spend-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("db.sqlite").path
        try Migrator(database: SQLiteDatabase(path: path)).migrate()
        let accounts = try AuthStore(path: path)
        let alice = try await accounts.addAccount(name: "gauge-alice", role: .member, passwordHash: nil, now: 1)
        let store = Spenders([(alice.id, Spend(today: 0.25, month: 1.5))])
        let gauges = SpendByUserGauges(store: store, accounts: accounts)
        await gauges.publish()
        var text = registry.exposition()
        #expect(text.contains(#"neural_terminal_spend_by_user_usd{user="gauge-alice",period="today"} 0.25"#)
                || text.contains(#"neural_terminal_spend_by_user_usd{period="today",user="gauge-alice"} 0.25"#), "\(text.suffix(600))")
        #expect(text.contains("neural_terminal_spend_by_user_suppressed 0"))

        let crowd = (0...SpendByUserGauges.maxSeries).map { (ownerID: "u\($0)", spend: Spend(today: 0.01, month: 0.02)) }
        store.owners.withLock { $0 = crowd }
        await gauges.publish()
        text = registry.exposition()
        #expect(text.contains("neural_terminal_spend_by_user_suppressed 1"))
        #expect(!text.contains(#"user="u0""#), "no series per person above the bound")
        #expect(!text.contains("gauge-alice"), "the series published before are removed")
    }
}
