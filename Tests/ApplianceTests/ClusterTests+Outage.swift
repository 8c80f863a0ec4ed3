import Foundation
import NTPostgres
import PostgresTestSupport
import Testing

/// Chat turns sent through the balancer by a few clients in a loop until told to stop, and what each got.
actor ClusterLoad {
    struct Outcome: Sendable {
        let status: Int
        let code: String?
        /// The user message the answer's `meta` named: stored before the stream opened.
        let userMessage: String?
    }

    private(set) var outcomes: [Outcome] = []
    private(set) var failures: [String] = []
    private var stopped = false

    /// Runs `clients` loops of at most `limit` turns each; a failed turn waits 100 ms before the next.
    func run(_ cluster: ApplianceCluster, clients: Int = 3, limit: Int = 600) async {
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    for turn in 0..<limit {
                        if await self.stopped { break }
                        do {
                            let answer = try await cluster.chat(port: cluster.proxy.port, "client \(client) turn \(turn)", timeout: 10)
                            let outcome = Outcome(
                                status: answer.status, code: (answer.object?["error"] as? [String: Any])?["code"] as? String,
                                userMessage: answer.json("meta").first?["user_message_id"] as? String)
                            await self.record(outcome)
                            if answer.status != 200 { try? await Task.sleep(for: .milliseconds(100)) }
                        } catch {
                            await self.fail("client \(client) turn \(turn): \(error)")
                        }
                    }
                }
            }
        }
    }

    func stop() { stopped = true }
    private func record(_ outcome: Outcome) { outcomes.append(outcome) }
    private func fail(_ what: String) { failures.append(what) }
    var served: Int { outcomes.filter { $0.status == 200 }.count }
}

extension ClusterTests {
    @Test("PostgreSQL restarted under load: requests fail clearly while it is down, no accepted message is lost, both serve again")
    func postgresRestartedUnderLoad() async throws {
        let cluster = try await ApplianceCluster.start()
        defer { Task { await cluster.stop() } }
        let (a, b, proxy) = (cluster.a, cluster.b, cluster.proxy.port)
        let load = ClusterLoad()
        let running = Task { await load.run(cluster) }
        defer { Task { await load.stop() } }
        try await eventually(timeout: 10, "turns served before the outage") { await load.served >= 5 }

        try TestPostgres.stop()
        var restarted = false
        defer { if !restarted { try? TestPostgres.start() } }
        for app in [a, b] {
            #expect(try app.metrics("/health").status == 200)
            try await eventually(timeout: 20, "/ready saying the database is unreachable on port \(app.metricsPort)") {
                let ready = try app.metrics("/ready")
                return ready.status == 503 && ready.body.contains(#""database":"unreachable""#)
            }
        }
        try await cluster.proxy.waitUntil(up: [], timeout: 5)
        for port in [a.webPort, b.webPort, proxy] {
            let refused = try await cluster.chat(port: port, "while it is down", timeout: 10)
            #expect(refused.status == 503 && (refused.object?["error"] as? [String: Any])?["code"] as? String == "storage_unavailable",
                    "port \(port): \(refused.status) \(refused.body.prefix(200))")
            #expect(refused.headers["retry-after"] != nil)
        }

        try TestPostgres.start()
        restarted = true
        for app in [a, b] { try await app.waitUntilReady(timeout: 30) }
        try await cluster.proxy.waitUntil(up: ["a", "b"], timeout: 10)
        for app in [a, b] {
            try await eventually(timeout: 20, "a chat turn on port \(app.webPort) after PostgreSQL came back") {
                try await cluster.chat(port: app.webPort, "after the outage").status == 200
            }
        }
        let servedBefore = await load.served
        try await eventually(timeout: 10, "the load served again") { await load.served > servedBefore + 5 }
        await load.stop()
        await running.value

        let outcomes = await load.outcomes
        let failures = await load.failures
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        let unclear = outcomes.filter { $0.status != 200 && !($0.status == 503 && $0.code == "storage_unavailable") }
        #expect(unclear.isEmpty, "\(unclear.count) turns failed otherwise: \(unclear.prefix(3))")
        let accepted = Set(outcomes.compactMap(\.userMessage))
        #expect(accepted.count == outcomes.filter { $0.status == 200 }.count, "every served turn named its user message")
        let sql = try cluster.sql()
        let rows = try sql.query("SELECT id FROM messages WHERE role = 'user'")
        let stored = Set((0..<rows.rowCount).compactMap { rows.string(row: $0, column: 0) })
        #expect(accepted.isSubset(of: stored), "\(accepted.subtracting(stored).count) accepted user messages are missing")
        try await eventually(timeout: 35, "no message left streaming after the outage") {
            try sql.query("SELECT count(*) FROM messages WHERE status = 'streaming'").int(row: 0, column: 0) == 0
        }
    }
}
