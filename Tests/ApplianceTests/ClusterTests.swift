import Foundation
import NTPostgres
import NTStorage
import PostgresTestSupport
import Testing

/// Several appliances on one PostgreSQL database behind a load balancer without session affinity, through the real
/// binary: two appliances (`a`, `b`) on one fresh database, HAProxy in front (``ApplianceCluster``). Whichever
/// appliance a request reaches, it sees the same conversations, sessions and tokens, and it can stop or follow an
/// answer streaming on the other. (Failures, budgets and outages: ClusterTests+Failures.swift.)
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ClusterTests {
    @Test("a conversation made through the balancer is read on both; a session and a token work whichever appliance answers")
    func conversationsSessionsAndTokensAreShared() async throws {
        let cluster = try await ApplianceCluster.start()
        defer { Task { await cluster.stop() } }
        let (a, b, proxy) = (cluster.a, cluster.b, cluster.proxy.port)

        var servedBy: [String] = []
        var made: [String] = []
        for turn in 0..<4 {
            let answer = try await cluster.send("POST", port: proxy, "/api/conversations", json: #"{"title":"shared \#(turn)"}"#)
            #expect(answer.status == 201, "\(answer.body)")
            servedBy.append(answer.headers["x-served-by"] ?? "?")
            made.append(answer.object?["id"] as? String ?? "")
        }
        #expect(Set(servedBy) == ["a", "b"], "round robin without affinity: \(servedBy)")
        for (turn, id) in made.enumerated() {
            for app in [a, b] {
                let read = try await cluster.send("GET", port: app.webPort, "/api/conversations/\(id)")
                #expect(read.status == 200 && read.object?["title"] as? String == "shared \(turn)", "\(read.body)")
            }
        }

        // A browser session opened through the balancer is known to both.
        let login = try await RawHTTP.send("POST", port: proxy, path: "/api/auth/login", json: #"{"password":"\#(ApplianceCluster.password)"}"#)
        #expect(login.status == 200, "\(login.body)")
        let cookie = AccountsTests.cookie(of: login)
        #expect(cookie.hasPrefix("nt_session="))
        let browser = ["Cookie": cookie, "Origin": "http://127.0.0.1:\(proxy)"]
        var sessionServedBy: Set<String> = []
        for _ in 0..<4 {
            let who = try await RawHTTP.send("GET", port: proxy, path: "/api/auth/session", headers: browser)
            #expect(who.object?["via"] as? String == "session", "\(who.body)")
            let posted = try await RawHTTP.send("POST", port: proxy, path: "/api/conversations", json: "{}", headers: browser)
            #expect(posted.status == 201, "the origin check passes on both: \(posted.body)")
            sessionServedBy.formUnion([who.headers["x-served-by"] ?? "?", posted.headers["x-served-by"] ?? "?"])
        }
        #expect(sessionServedBy == ["a", "b"])
        for app in [a, b] {
            #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: ["Cookie": cookie]).status == 200)
            #expect(try await cluster.send("GET", port: app.webPort, "/api/conversations").status == 200, "the token, on both")
        }

        // Logging out on a ends the session on b; a token revoked through b's command is refused by a.
        let logout = try await RawHTTP.send("POST", port: a.webPort, path: "/api/auth/logout",
                                            headers: ["Cookie": cookie, "Origin": "http://127.0.0.1:\(a.webPort)"])
        #expect(logout.status == 204, "\(logout.body)")
        #expect(try await RawHTTP.send("GET", port: b.webPort, path: "/api/conversations", headers: ["Cookie": cookie]).status == 401)
        let id = String(cluster.token.dropFirst(4).prefix { $0 != "_" })
        #expect(try await b.cli(["token", "revoke", id], environment: ApplianceCluster.environment).code == 0)
        #expect(try await cluster.send("GET", port: a.webPort, "/api/conversations").status == 401, "revoked on b, refused on a")
    }

    @Test("an answer streaming on a is stopped through b: b says stopped, a's stream ends stopped, the partial text is stored")
    func anAnswerOnOneApplianceIsStoppedThroughTheOther() async throws {
        let cluster = try await ApplianceCluster.start()
        defer { Task { await cluster.stop() } }
        let (a, b) = (cluster.a, cluster.b)
        let conversation = try await cluster.createConversation(port: a.webPort)
        let streaming = Task { try await cluster.chat(port: a.webPort, "long please", model: "fake/slow", conversation: conversation, timeout: 60) }
        try await eventually(timeout: 10, "a's answer flushed to the database, read on b") {
            (try await cluster.messages(port: b.webPort, conversation).last?["content"] as? String ?? "").count > 10
        }

        let stop = try await cluster.send("POST", port: b.webPort, "/api/conversations/\(conversation)/stop")
        #expect(stop.status == 200 && stop.object?["stopped"] as? Bool == true, "b reached a's answer: \(stop.body)")
        let ended = (try? await eventually(timeout: 8, "a's answer no longer streaming") {
            try await cluster.messages(port: b.webPort, conversation).last?["status"] as? String != "streaming"
        }) != nil
        #expect(ended, "the stop sent to b ended a's answer")
        if !ended { _ = try? await cluster.send("POST", port: a.webPort, "/api/conversations/\(conversation)/stop") }

        let answer = try await streaming.value
        #expect(answer.json("done").first?["status"] as? String == "stopped", "\(answer.body.suffix(300))")
        let streamed = answer.json("delta").compactMap { $0["text"] as? String }.joined()
        let stored = try #require(try await cluster.messages(port: b.webPort, conversation).last)
        #expect(stored["status"] as? String == "stopped")
        #expect((stored["content"] as? String ?? "").count > 10 && stored["content"] as? String == streamed,
                "the partial text a streamed is the text stored")
        try await eventually(timeout: 3, "the upstream seeing a's transfer cut") {
            (try cluster.fake.stats()["client_disconnects"] as? Int ?? 0) >= 1
        }
    }

    @Test("attaching through b follows an answer streaming on a: meta, the text so far, deltas and done, all of it once")
    func attachingOnOneApplianceFollowsAnAnswerOnTheOther() async throws {
        let cluster = try await ApplianceCluster.start(fakeArguments: ["--tokens", "150", "--token-delay-ms", "20"])
        defer { Task { await cluster.stop() } }
        let (a, b) = (cluster.a, cluster.b)
        let conversation = try await cluster.createConversation(port: a.webPort)
        let streaming = Task { try await cluster.chat(port: a.webPort, "a long answer please", conversation: conversation) }
        try await eventually(timeout: 10, "a's answer flushed to the database, read on b") {
            !(try await cluster.messages(port: b.webPort, conversation).last?["content"] as? String ?? "").isEmpty
        }

        let attached = try await cluster.send("GET", port: b.webPort, "/api/conversations/\(conversation)/stream")
        let original = try await streaming.value
        #expect(attached.status == 200, "\(attached.body)")
        #expect(attached.events.first?.event == "meta" && attached.events.last?.event == "done", "\(attached.events.map(\.event))")
        let meta = try #require(attached.json("meta").first)
        #expect(meta["conversation_id"] as? String == conversation)
        #expect(meta["assistant_message_id"] as? String == original.json("meta").first?["assistant_message_id"] as? String)
        let snapshot = try #require(attached.json("snapshot").first?["content"] as? String)
        let live = attached.json("delta").compactMap { $0["text"] as? String }.joined()
        #expect(!snapshot.isEmpty && !live.isEmpty, "the text so far, then more of it live")
        #expect(attached.json("done").first?["status"] as? String == "complete")

        let stored = try #require(try await cluster.messages(port: b.webPort, conversation).last)
        #expect(stored["status"] as? String == "complete")
        #expect(stored["content"] as? String == snapshot + live, "b's page saw all of it, once")
        #expect(stored["content"] as? String == original.json("delta").compactMap { $0["text"] as? String }.joined())
    }

    @Test("every sample of each appliance's /metrics carries its instance name")
    func metricsCarryTheInstanceName() async throws {
        let cluster = try await ApplianceCluster.start()
        defer { Task { await cluster.stop() } }
        for _ in 0..<2 { #expect(try await cluster.chat(port: cluster.proxy.port, "hello").status == 200) }
        for (name, app, other) in [("a", cluster.a, "b"), ("b", cluster.b, "a")] {
            let body = try app.metrics("/metrics").body
            let samples = body.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
            #expect(samples.count > 20, "\(name): \(samples.count) samples")
            let unlabelled = samples.filter { !$0.contains("instance=\"\(name)\"") }
            #expect(unlabelled.isEmpty, "\(name): \(unlabelled.count) samples without instance=\"\(name)\", e.g. \(unlabelled.prefix(3))")
            #expect(!body.contains("instance=\"\(other)\""))
        }
    }

    @Test("an appliance stopped gracefully leaves the cluster: its runner row and its locks go with it, the other's stay")
    func aDrainedApplianceLeavesTheRunners() async throws {
        let cluster = try await ApplianceCluster.start()
        defer { Task { await cluster.stop() } }
        let sql = try cluster.sql()
        func runners(_ instance: String) throws -> Int {
            try sql.query("SELECT count(*) FROM runners WHERE instance = $1", [.text(instance)]).int(row: 0, column: 0)
        }
        #expect(try runners("a") == 1 && runners("b") == 1, "one web worker each")
        await cluster.a.stop()
        #expect(try runners("a") == 0, "a's row is deleted on its way out, not left for the sweep")
        #expect(try runners("b") == 1)
        let held = try sql.query("""
            SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = \(ClusterLocks.runnerClass)
            """).int(row: 0, column: 0)
        #expect(held == 1, "only b's runner lock is held")
    }
}
