import Foundation
import Testing

/// Broken HTTP framing, HEAD, duplicate Host headers and a login flood, against the real binary: every answer is a
/// 4xx with the JSON error shape and the security headers, never a 500, and nothing is stored.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct HostileHTTPTests {
    /// The malformed bodies, each sent as a POST with the given framing headers; `halfClose` stops sending mid-body.
    struct Malformation: CustomStringConvertible {
        let description: String
        let headers: String
        let body: [UInt8]
        var halfClose = false
    }

    static let malformations: [Malformation] = [
        Malformation(description: "a chunk size that is not hex", headers: "Transfer-Encoding: chunked\r\n",
                     body: Array("zz\r\nab\r\n0\r\n\r\n".utf8)),
        Malformation(description: "a chunk size past 2^64", headers: "Transfer-Encoding: chunked\r\n",
                     body: Array("fffffffffffffffffffff\r\nab\r\n0\r\n\r\n".utf8)),
        // The decoder skips chunk extensions without buffering them, so a long one is valid framing; the body
        // after it (a JSON array, which no route takes) must still be refused as usual, not with a 500.
        Malformation(description: "a 200 KB chunk extension", headers: "Transfer-Encoding: chunked\r\n",
                     body: Array(("2;" + String(repeating: "x", count: 200_000) + "\r\n[]\r\n0\r\n\r\n").utf8)),
        Malformation(description: "a body cut short by a half-close", headers: "Content-Length: 100\r\n",
                     body: Array(#"{"title":"#.utf8), halfClose: true),
        Malformation(description: "a chunked body cut short by a half-close", headers: "Transfer-Encoding: chunked\r\n",
                     body: Array("10\r\n{\"title\":".utf8), halfClose: true),
    ]

    static func request(_ path: String, port: Int, _ malformation: Malformation) -> [UInt8] {
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n"
            + malformation.headers + "Connection: close\r\n\r\n"
        return Array(head.utf8) + malformation.body
    }

    static func expectClientError(_ answer: RawHTTP.Answer, _ what: String) {
        #expect((400..<500).contains(answer.status), "\(what): \(answer.status) \(answer.body.prefix(200))")
        let error = answer.object?["error"] as? [String: Any]
        #expect(error?["code"] is String && error?["message"] is String, "\(what): the JSON error shape: \(answer.body.prefix(200))")
        #expect(answer.headers["content-security-policy"]?.contains("default-src 'self'") == true, "\(what): security headers")
        #expect(answer.headers["x-content-type-options"] == "nosniff", "\(what)")
    }

    @Test func brokenFramingOnEveryPostRouteIsA4xxWithTheErrorShapeAndNothingIsStored() async throws {
        let app = try Appliance()
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        let conversation = try await app.createConversation("kept")
        let routes = ["/api/auth/login", "/api/chat", "/api/conversations", "/api/conversations/\(conversation)/messages", "/api/import"]
        for route in routes {
            for malformation in Self.malformations {
                let answer = try await RawHTTP.sendRaw(
                    port: app.webPort, request: Self.request(route, port: app.webPort, malformation), halfClose: malformation.halfClose
                )
                Self.expectClientError(answer, "POST \(route) with \(malformation)")
            }
        }
        // A request-line or header the parser refuses outright is answered the same way, before any route.
        let garbage = try await RawHTTP.sendRaw(port: app.webPort, request: Array("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n".utf8))
        Self.expectClientError(garbage, "a header line without a colon")
        let metricsGarbage = try await RawHTTP.sendRaw(port: app.metricsPort, request: Array("GE T /health HTTP/1.1\r\n\r\n".utf8))
        Self.expectClientError(metricsGarbage, "a broken request line on the metrics listener")

        #expect(try await app.conversationCount() == 1)
        let detail = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations/\(conversation)").object
        #expect((detail?["messages"] as? [Any])?.isEmpty == true)
        let lines = app.logObjects()
        #expect(!lines.contains { $0["msg"] as? String == "unhandled error in handler" }, "no 500 path was taken")
        #expect(!lines.contains { ["error", "critical"].contains($0["level"] as? String) }, "\(lines.filter { $0["level"] as? String == "error" })")
        #expect(!lines.contains { $0["msg"] as? String == "request" && ($0["status"] as? String)?.hasPrefix("5") == true })
        #expect(try app.metrics("/ready").status == 200, "the worker keeps serving")
    }

    @Test func aRequestAnsweredBeforeItsBodyWasReadClosesTheConnection() async throws {
        let app = try Appliance()
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        // A body announced far past server.max_body_bytes, of which only a few bytes are sent: refused at once, and
        // the connection is closed rather than left waiting for the rest until the idle timeout.
        let head = "POST /api/conversations HTTP/1.1\r\nHost: 127.0.0.1:\(app.webPort)\r\nContent-Type: application/json\r\n"
            + "Content-Length: 2000000000\r\n\r\n{\"title\":"
        let answer = try await RawHTTP.sendRaw(port: app.webPort, request: Array(head.utf8), timeout: 20)
        #expect(answer.status == 413, "\(answer.status) \(answer.body)")
        #expect(answer.headers["connection"]?.lowercased() == "close", "\(answer.headers)")
        Self.expectClientError(answer, "an oversized body")
    }

    @Test func pipelinedRequestsAreAllAnsweredOnOneConnection() async throws {
        let app = try Appliance()
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        // Three requests on one connection, the second a POST whose body arrives half a second after its head (so
        // the first is answered while the second is still open): each is answered, in order, and only the last
        // one's Connection: close ends the connection.
        let body = #"{"title":"pipelined"}"#
        let host = "Host: 127.0.0.1:\(app.webPort)\r\n"
        let beforeBody = "GET /api/version HTTP/1.1\r\n\(host)\r\n"
            + "POST /api/conversations HTTP/1.1\r\n\(host)Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        let requests = beforeBody + body + "GET /api/conversations HTTP/1.1\r\n\(host)Connection: close\r\n\r\n"
        let answer = try await RawHTTP.sendRaw(
            port: app.webPort, request: Array(requests.utf8), pauseAfter: beforeBody.utf8.count, timeout: 10
        )
        #expect(answer.status == 200)
        #expect(answer.body.contains("HTTP/1.1 201 Created"), "\(answer.body.prefix(600))")
        #expect(answer.body.contains("\"title\":\"pipelined\""))
        #expect(answer.body.components(separatedBy: "HTTP/1.1 200 OK").count == 2, "the third answer: \(answer.body.suffix(400))")
    }

    @Test func headOfEveryGetRouteAnswersLikeGetWithoutABody() async throws {
        let app = try Appliance()
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        let targets: [(port: Int, path: String)] = [
            (app.webPort, "/"), (app.webPort, "/login"), (app.webPort, "/api/version"), (app.webPort, "/api/conversations"),
            (app.webPort, "/assets/app.css"), (app.metricsPort, "/health"), (app.metricsPort, "/ready"), (app.metricsPort, "/metrics"),
        ]
        for (port, path) in targets {
            let get = try await RawHTTP.send("GET", port: port, path: path)
            let head = try await RawHTTP.send("HEAD", port: port, path: path)
            #expect(get.status < 400, "GET \(path): \(get.status)")
            #expect(head.status == get.status, "HEAD \(path): \(head.status)")
            #expect(head.body.isEmpty, "HEAD \(path) has no body")
            #expect(head.headers["content-type"] == get.headers["content-type"], "HEAD \(path)")
            #expect(head.headers["x-content-type-options"] == "nosniff", "HEAD \(path)")
        }
    }

    @Test func aRequestWithTwoHostHeadersIsRefusedInEitherOrder() async throws {
        let app = try Appliance()
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        for port in [app.webPort, app.metricsPort] {
            for hosts in [["127.0.0.1:\(port)", "evil.example"], ["evil.example", "127.0.0.1:\(port)"]] {
                let path = port == app.webPort ? "/api/version" : "/health"
                let request = "GET \(path) HTTP/1.1\r\nHost: \(hosts[0])\r\nHost: \(hosts[1])\r\nConnection: close\r\n\r\n"
                let answer = try await RawHTTP.sendRaw(port: port, request: Array(request.utf8))
                #expect(answer.status == 400 || answer.status == 421, "\(hosts) on \(port): \(answer.status)")
                Self.expectClientError(answer, "two Host headers \(hosts)")
            }
        }
    }

    @Test func aLoginFloodFromFortyAddressesDoesNotLockTheOwnerOut() async throws {
        let app = try await AuthTests.start(extra: "server.trusted_proxies = \"127.0.0.1\"\n")
        defer { Task { await app.stop() } }
        let port = app.webPort
        let login: @Sendable (String, String) async throws -> RawHTTP.Answer = { client, password in
            try await RawHTTP.send("POST", port: port, path: "/api/auth/login", json: #"{"password":"\#(password)"}"#,
                                   headers: ["X-Forwarded-For": client], timeout: 60)
        }
        // The owner has logged in from this address before.
        #expect(try await login("10.200.0.1", AuthTests.password).status == 200)
        for round in 0..<3 {
            // Forty fresh addresses guess at once (each one bcrypt check), and the owner logs in while they run.
            let guesses = (0..<40).map { index in
                Task { try await login("10.\(round).0.\(index + 2)", "wrong password \(index)").status }
            }
            try await Task.sleep(for: .milliseconds(100))
            let owner = try await login("10.200.0.1", AuthTests.password)
            #expect(owner.status == 200, "round \(round): \(owner.status) \(owner.body)")
            var statuses: [Int] = []
            for guess in guesses { statuses.append(try await guess.value) }
            #expect(statuses.allSatisfy { $0 == 401 || $0 == 429 }, "round \(round): \(statuses)")
        }
    }
}
