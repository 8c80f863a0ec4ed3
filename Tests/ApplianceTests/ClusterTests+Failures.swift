import Foundation
import NTPostgres
import PostgresTestSupport
import Testing

/// The cluster when things go wrong: an appliance killed mid-answer, a budget shared by concurrent turns on both
/// appliances, PostgreSQL restarted under load.
extension ClusterTests {
    @Test("a killed with SIGKILL mid-answer: the balancer drops it, b serves everyone, a's answers become interrupted with their text")
    func aKilledApplianceLeavesItsAnswersInterruptedAndTheOtherServes() async throws {
        // The maintenance leader sweeps every tick: b takes over once a's session is gone, at its next tick.
        let cluster = try await ApplianceCluster.start(extra: "maintenance.tick_seconds = 2\n")
        defer { Task { await cluster.stop() } }
        let (a, b, proxy) = (cluster.a, cluster.b, cluster.proxy.port)
        // Two answers on a: one whose conversation b touches next, one left alone for the periodic sweep.
        let touched = try await cluster.createConversation(port: a.webPort, title: "touched")
        let untouched = try await cluster.createConversation(port: a.webPort, title: "untouched")
        let streams = [touched, untouched].map { conversation in
            Task { try? await cluster.chat(port: a.webPort, "long please", model: "fake/slow", conversation: conversation, timeout: 60) }
        }
        try await eventually(timeout: 10, "both answers flushed to the database, read on b") {
            for conversation in [touched, untouched] {
                guard (try await cluster.messages(port: b.webPort, conversation).last?["content"] as? String ?? "").count > 10 else { return false }
            }
            return true
        }
        var before: [String: (id: String, length: Int)] = [:]
        for conversation in [touched, untouched] {
            let answer = try #require(try await cluster.messages(port: b.webPort, conversation).last)
            before[conversation] = (answer["id"] as? String ?? "", (answer["content"] as? String ?? "").count)
        }

        a.killEverything()
        for stream in streams { _ = await stream.value }
        try await cluster.proxy.waitUntil(up: ["b"], timeout: 5)
        for _ in 0..<6 {
            let listed = try await cluster.send("GET", port: proxy, "/api/conversations")
            #expect(listed.status == 200 && listed.headers["x-served-by"] == "b", "\(listed.status) from \(listed.headers["x-served-by"] ?? "?")")
        }

        // Touching the conversation on b ends a's answer there: nothing streams any more, a new message is taken.
        let attach = try await cluster.send("GET", port: b.webPort, "/api/conversations/\(touched)/stream")
        #expect(attach.status == 404 && (attach.object?["error"] as? [String: Any])?["code"] as? String == "not_streaming", "\(attach.body.prefix(300))")
        let next = try await cluster.chat(port: proxy, "and now?", conversation: touched)
        #expect(next.status == 200, "not 409: \(next.body.prefix(300))")
        #expect(next.json("done").first?["status"] as? String == "complete")
        try await expectInterrupted(cluster, touched, before[touched])

        // The answer nobody touched is found by the sweep.
        let sql = try cluster.sql()
        let swept = (try? await eventually(timeout: 40, "no message left streaming") {
            try sql.query("SELECT count(*) FROM messages WHERE status = 'streaming'").int(row: 0, column: 0) == 0
        }) != nil
        let left = try sql.query("SELECT conversation_id FROM messages WHERE status = 'streaming'")
        #expect(swept, "still streaming 40 s after a died, in \((0..<left.rowCount).compactMap { left.string(row: $0, column: 0) }) (untouched: \(untouched))")
        try await expectInterrupted(cluster, untouched, before[untouched])
    }

    /// The answer `before` names is `interrupted` and kept at least the text it had before its appliance died.
    private func expectInterrupted(_ cluster: ApplianceCluster, _ conversation: String, _ before: (id: String, length: Int)?) async throws {
        let tree = try await cluster.send("GET", port: cluster.b.webPort, "/api/conversations/\(conversation)?view=tree")
        let messages = tree.object?["messages"] as? [[String: Any]] ?? []
        let answer = try #require(messages.first { $0["id"] as? String == before?.id }, "\(tree.body.prefix(300))")
        #expect(answer["status"] as? String == "interrupted", "\(conversation): \(answer["status"] ?? "none")")
        #expect((answer["content"] as? String ?? "").count >= before?.length ?? .max, "the partial text is kept")
    }

    @Test("50 concurrent turns over both appliances never spend more than the daily budget; the refused ones store nothing")
    func concurrentTurnsOnBothAppliancesStayWithinTheBudget() async throws {
        // fake/lorem: 20 completion tokens at 2e-6 and a few prompt tokens at 1e-6, about 0.000044 a turn; priced in
        // the worst case with max_tokens 20, about 0.000046. 0.00015 fits three turns, or three in flight, in all.
        let budget = 0.00015
        let cluster = try await ApplianceCluster.start(
            fakeArguments: ["--tokens", "20", "--token-delay-ms", "20"],
            extra: "budget.daily_usd = \(budget)\nbudget.default_max_tokens = 20\n")
        defer { Task { await cluster.stop() } }
        for app in [cluster.a, cluster.b] {
            try await eventually(timeout: 10, "the models catalog priced on port \(app.webPort)") {
                let models = try await cluster.send("GET", port: app.webPort, "/api/models").object?["data"] as? [[String: Any]]
                return models?.contains { $0["id"] as? String == "fake/lorem" } == true
            }
        }

        let outcomes = await withTaskGroup(of: RawHTTP.Answer?.self) { group in
            var sent = 0
            @Sendable func turn() async -> RawHTTP.Answer? {
                try? await cluster.chat(port: cluster.proxy.port, "turn", model: "fake/lorem")
            }
            while sent < 10 { group.addTask(operation: turn); sent += 1 }
            var answers: [RawHTTP.Answer?] = []
            for await answer in group {
                answers.append(answer)
                if sent < 50 { group.addTask(operation: turn); sent += 1 }
            }
            return answers
        }
        let answered = outcomes.compactMap { $0 }
        #expect(answered.count == 50, "every turn got an answer")
        let served = answered.filter { $0.status == 200 }
        let refused = answered.filter { $0.status != 200 }
        #expect(!served.isEmpty && !refused.isEmpty, "\(served.count) served, \(refused.count) refused")
        #expect(Set(answered.compactMap { $0.headers["x-served-by"] }) == ["a", "b"])
        for answer in refused {
            #expect(answer.status == 402 && (answer.object?["error"] as? [String: Any])?["code"] as? String == "budget_exceeded", "\(answer.status) \(answer.body.prefix(200))")
        }
        for answer in served { #expect(answer.json("done").first?["status"] as? String == "complete", "\(answer.body.suffix(200))") }

        let sql = try cluster.sql()
        let stored = try sql.query("SELECT COALESCE(SUM(cost_usd), 0) FROM messages").double(row: 0, column: 0)
        let day = try sql.query("SELECT COALESCE(SUM(cost_usd), 0) FROM spend_by_day").double(row: 0, column: 0)
        #expect(stored <= budget + 1e-9 && day <= budget + 1e-9, "spent \(stored) (stored answers), \(day) (spend_by_day) of \(budget)")
        #expect(try sql.query("SELECT count(*) FROM messages WHERE role = 'user'").int(row: 0, column: 0) == served.count,
                "a refused turn stores no message")
        #expect(try sql.query("SELECT count(*) FROM conversations").int(row: 0, column: 0) == served.count,
                "a refused turn leaves no conversation")
    }
}
