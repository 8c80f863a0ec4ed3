import Foundation
import Testing

/// Rate limits and input limits against the real binary. No timing thresholds: the
/// configured rates are so low (one a minute) that no token refills while a test runs.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct LimitsTests {
    static let refusedLine = "rate limit exceeded; request refused"

    static func nested(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }

    @Test func aBurstBeyondTheLimitGets429WithRetryAfterUntilASighupRaisesTheLimit() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let tight = "limits.api_requests_per_minute = 1\nlimits.api_burst = 3\nlimits.chat_requests_per_minute = 1\nlimits.chat_burst = 1\n"
        let app = try Appliance(
            extraConfig: ChatTests.upstreamConfig(fake, extra: tight), environment: ["OPENROUTER_API_KEY": ChatTests.key],
            rateLimited: true
        )
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()

        var answers: [RawHTTP.Answer] = []
        for _ in 0..<5 { answers.append(try await RawHTTP.send("GET", port: app.webPort, path: "/api/version")) }
        #expect(answers.map(\.status) == [200, 200, 200, 429, 429])
        let refused = answers[3]
        let retryAfter = try #require(Int(refused.headers["retry-after"] ?? ""), "\(refused.headers)")
        #expect((1...60).contains(retryAfter))
        let error = refused.object?["error"] as? [String: Any]
        #expect(error?["code"] as? String == "rate_limited")
        #expect((error?["message"] as? String)?.hasPrefix("too many API requests: at most 1 a minute (bursts of 3); retry in") == true)
        #expect(refused.headers["x-request-id"] != nil, "refusals pass through the usual middleware")
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/").status == 200, "the UI's files are not limited")

        // Chat turns have a bucket of their own: the API bucket is empty, yet one chat passes; the next is refused
        // before anything is stored or sent.
        let chat = try await ChatTests.chat(app, "hello")
        #expect(chat.status == 200)
        #expect(chat.json("done").first?["status"] as? String == "complete")
        let again = try await ChatTests.chat(app, "hello again")
        #expect(again.status == 429)
        #expect((again.object?["error"] as? [String: Any])?["code"] as? String == "rate_limited")
        #expect(try GuardProbe.chatRequests(fake) == 1)

        #expect(try GuardProbe.metric(app, "neural_terminal_rate_limit_refusals_total", label: "bucket=\"api\"") == 2)
        #expect(try GuardProbe.metric(app, "neural_terminal_rate_limit_refusals_total", label: "bucket=\"chat\"") == 1)
        // One warning per caller and bucket, however many refusals.
        let lines = app.logObjects().filter { $0["msg"] as? String == Self.refusedLine }
        #expect(lines.count == 2, "\(lines)")
        // auth.mode = "none": every request is the one local user ("local"), so all share one bucket.
        #expect(lines.allSatisfy { $0["level"] as? String == "warning" && $0["caller"] as? String == "local" })
        #expect(Set(lines.compactMap { $0["bucket"] as? String }) == ["api", "chat"])

        let raised = "limits.api_requests_per_minute = 600\nlimits.api_burst = 50\nlimits.chat_requests_per_minute = 600\nlimits.chat_burst = 5\n"
        try app.writeConfig(ChatTests.upstreamConfig(fake, extra: raised))
        app.signal(SIGHUP)
        try await eventually(timeout: 5, "the raised limit applied") {
            try await RawHTTP.send("GET", port: app.webPort, path: "/api/version").status == 200
        }
        var after: [Int] = []
        for _ in 0..<5 { after.append(try await RawHTTP.send("GET", port: app.webPort, path: "/api/version").status) }
        #expect(after == [200, 200, 200, 200, 200])
        #expect(try await ChatTests.chat(app, "now it passes").status == 200)
        #expect(try await ChatTests.chat(app, "and again").status == 200)
    }

    @Test func oversizedDeepAndTooLongInputIsRefusedWithA4xxAndNothingIsStored() async throws {
        let limits = "limits.title_max_chars = 10\nlimits.message_max_chars = 50\nlimits.page_max_items = 5\n"
        let app = try Appliance(extraConfig: limits)
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        func post(_ path: String, _ json: String) async throws -> RawHTTP.Answer {
            try await RawHTTP.send("POST", port: app.webPort, path: path, json: json)
        }
        func code(_ answer: RawHTTP.Answer) -> String? { (answer.object?["error"] as? [String: Any])?["code"] as? String }
        func message(_ answer: RawHTTP.Answer) -> String { (answer.object?["error"] as? [String: Any])?["message"] as? String ?? "" }

        // A hundred thousand levels of nesting: refused on the raw bytes, the worker keeps serving.
        let deep = try await post("/api/conversations", #"{"title":\#(Self.nested(100_000))}"#)
        #expect(deep.status == 400)
        #expect(code(deep) == "invalid_json")
        #expect(message(deep) == "the JSON body is nested more than 32 levels deep (limits.json_max_depth)")
        #expect(try await post("/api/chat", #"{"message":"hi","model":\#(Self.nested(100_000))}"#).status == 400)
        let deepImport = try await post("/api/import", Self.nested(100_000))
        #expect(deepImport.status == 400, "the importer's decoder refuses it too: \(deepImport.body.prefix(200))")
        #expect(try app.metrics("/ready").status == 200)

        // Title and message length.
        let longTitle = try await post("/api/conversations", #"{"title":"eleven char"}"#)
        #expect(longTitle.status == 400)
        #expect(code(longTitle) == "invalid_title")
        #expect(message(longTitle) == "title is longer than 10 characters (limits.title_max_chars)")
        let id = try await app.createConversation("ok")
        let patched = try await RawHTTP.send("PATCH", port: app.webPort, path: "/api/conversations/\(id)", json: #"{"title":"eleven char"}"#)
        #expect(patched.status == 400)
        let tooLong = String(repeating: "x", count: 51)
        let sent = try await post("/api/conversations/\(id)/messages", #"{"content":"\#(tooLong)"}"#)
        #expect(sent.status == 400)
        #expect(code(sent) == "invalid_content")
        #expect(message(sent).hasSuffix("(limits.message_max_chars)"))
        let quick = try await post("/api/chat", #"{"message":"\#(tooLong)"}"#)
        #expect(quick.status == 400)
        #expect(code(quick) == "invalid_message")
        let detail = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations/\(id)").object
        #expect(detail?["title"] as? String == "ok")
        #expect((detail?["messages"] as? [Any])?.isEmpty == true)
        #expect(try await app.conversationCount() == 1)

        // Page size.
        let page = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations?limit=6")
        #expect(page.status == 400)
        #expect(code(page) == "invalid_limit")
        #expect(message(page) == "limit must be at most 5 conversations per page (limits.page_max_items)")
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations?limit=5").status == 200)
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations").object?["limit"] as? Int == 5)

        // Body size, lowered by a SIGHUP: a Content-Length over it, and a chunked body that grows past it.
        try app.writeConfig(limits + "server.max_body_bytes = 1024\n")
        app.signal(SIGHUP)
        // A title over its limit too, so a probe that arrives before the reload stores nothing (400, not 201).
        let padded = #"{"title":"eleven char"}"# + String(repeating: " ", count: 4096)
        try await eventually(timeout: 5, "the lower body limit applied") {
            try await post("/api/conversations", padded).status == 413
        }
        let big = try await post("/api/conversations", padded)
        #expect(code(big) == "too_large")
        #expect(message(big) == "the request body is larger than 1024 bytes (server.max_body_bytes)")
        let head = "POST /api/conversations HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n"
        let chunks = [#"{"title":"chunked""#, String(repeating: " ", count: 1000), String(repeating: " ", count: 1000), "}"]
        let chunked = head + chunks.map { String($0.utf8.count, radix: 16) + "\r\n" + $0 + "\r\n" }.joined() + "0\r\n\r\n"
        let streamed = try await RawHTTP.sendRaw(port: app.webPort, request: Array(chunked.utf8))
        #expect(streamed.status == 413, "\(streamed.body)")
        #expect(code(streamed) == "too_large")
        let small = try await post("/api/conversations", #"{"title":"fits"}"# + String(repeating: " ", count: 900))
        #expect(small.status == 201)
        #expect(try await app.conversationCount() == 2, "only the two accepted conversations exist")
        #expect(app.logObjects().allSatisfy { ($0["status"] as? String).map { !$0.hasPrefix("5") } ?? true }, "no 500 anywhere")
    }

    static let traversals = [
        "/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/assets/..%2f..%2fPackage.swift", "/assets/../../Package.swift",
        "//etc/passwd", "/assets//..//..//Package.swift", "/assets/%2e%2e%2fPackage.swift", "/assets/app.js%00.txt",
        "/assets/%00", "/assets/.hidden.js", "/assets/..%5c..%5cPackage.swift", "/assets/%252e%252e%252fPackage.swift",
        "/index.html/../../Package.swift", "/assets/app.js/../../../Package.swift", "/Package.swift", "/assets/",
    ]

    @Test func pathsOutsideTheCompiledAssetSetAreNotFound() async throws {
        let app = try Appliance()
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/assets/app.js").status == 200)
        for path in Self.traversals {
            let answer = try await RawHTTP.send("GET", port: app.webPort, path: path)
            #expect(answer.status == 404, "\(path): \(answer.status)")
            #expect(!answer.body.contains("swift-tools-version") && !answer.body.contains("root:"), "\(path)")
        }
        // A raw NUL in the request line is refused by the HTTP parser, still a 4xx.
        let nul = try await RawHTTP.sendRaw(port: app.webPort, request: Array("GET /assets/app.js\u{0}x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
        #expect((400..<500).contains(nul.status), "\(nul.status)")
    }

    @Test func theDevelopmentAssetFolderServesNothingOutsideIt() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("nt-assets-\(UUID().uuidString.prefix(8))")
        let web = root.appendingPathComponent("web")
        try FileManager.default.createDirectory(at: web, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try "console.log('from disk')".write(to: web.appendingPathComponent("app.js"), atomically: true, encoding: .utf8)
        try "SECRET outside".write(to: root.appendingPathComponent("secret.js"), atomically: true, encoding: .utf8)
        try "SECRET hidden".write(to: web.appendingPathComponent(".hidden.js"), atomically: true, encoding: .utf8)
        let app = try Appliance(environment: ["NEURAL_TERMINAL_ASSETS_DIR": web.path])
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()

        let served = try await RawHTTP.send("GET", port: app.webPort, path: "/assets/app.js")
        #expect(served.status == 200)
        #expect(served.body == "console.log('from disk')")
        let attempts = Self.traversals + [
            "/assets/..%2fsecret.js", "/assets/../secret.js", "/assets/%2e%2e%2fsecret.js", "/assets/%2E%2E%2Fsecret.js",
            "/assets/..%5csecret.js", "/assets/secret.js", "/assets/%2e%2e/secret.js", "/assets/.hidden.js",
            "/assets/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd", "/assets/app.js%00", "/assets/%2fetc%2fpasswd",
        ]
        for path in attempts {
            let answer = try await RawHTTP.send("GET", port: app.webPort, path: path)
            #expect(answer.status == 404, "\(path): \(answer.status)")
            #expect(!answer.body.contains("SECRET") && !answer.body.contains("root:"), "\(path)")
        }
    }
}
