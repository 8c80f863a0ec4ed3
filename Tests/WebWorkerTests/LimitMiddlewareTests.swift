import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NTHTTP
import Synchronization
import Testing
@testable import WebWorker

/// The limit middlewares in a router, as the web worker chains them, with a clock the test moves by hand and a
/// stand-in for authentication that sets the principal from a header.
struct LimitMiddlewareTests {
    static let principalHeader = HTTPField.Name("X-Test-Principal")!

    /// What the authentication middleware will do: set `context.principal`.
    struct PrincipalFromHeader: RouterMiddleware {
        typealias Context = AppRequestContext
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            var context = context
            context.principal = request.headers[LimitMiddlewareTests.principalHeader]
            return try await next(request, context)
        }
    }

    final class FakeClock: Sendable {
        private let instant = Mutex(ContinuousClock.now)
        var now: ContinuousClock.Instant { instant.withLock { $0 } }
        func advance(seconds: Int) { instant.withLock { $0 += .seconds(seconds) } }
    }

    static let rates = RateLimits(api: RateLimit(perMinute: 1, burst: 2), chat: RateLimit(perMinute: 1, burst: 1))
    static let bodies = BodyLimits(maxBytes: 1024, jsonMaxDepth: 4)

    static func application(clock: FakeClock) -> some ApplicationProtocol {
        let router = Router(context: AppRequestContext.self)
        router.addMiddleware {
            ErrorBoundaryMiddleware<AppRequestContext>()
            BodyLimitMiddleware { bodies }
            PrincipalFromHeader()
            RateLimitMiddleware(limits: { rates }, clock: { clock.now })
            JSONDepthMiddleware { bodies }
        }
        router.get("/api/version") { _, _ in "ok" }
        router.get("/api/body-limit") { _, context in String(context.bodyLimit) }
        router.post("/api/chat") { request, context in
            try await request.decode(as: [String: [[[String]]]].self, context: context).keys.sorted().joined()
        }
        // Outside /api: nothing collects the body first, so the handler meets the framework's own error.
        router.post("/upload") { request, _ in
            var request = request
            return String(try await request.collectBody(upTo: 10).readableBytes)
        }
        return Application(router: router)
    }

    static func get(_ client: some TestClientProtocol, _ path: String, as principal: String? = nil) async throws -> TestResponse {
        var headers = HTTPFields()
        if let principal { headers[principalHeader] = principal }
        return try await client.execute(uri: path, method: .get, headers: headers)
    }

    @Test func eachPrincipalHasItsOwnBucketAndRetryAfterFollowsTheClock() async throws {
        let clock = FakeClock()
        try await Self.application(clock: clock).test(.router) { client in
            #expect(try await Self.get(client, "/api/version", as: "session:a").status == .ok)
            #expect(try await Self.get(client, "/api/version", as: "session:a").status == .ok)
            let refused = try await Self.get(client, "/api/version", as: "session:a")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "60")
            #expect(refused.headers[.contentType] == "application/json; charset=utf-8")
            #expect(String(buffer: refused.body).contains(#""code":"rate_limited""#))
            // Another session, and a caller without one (keyed by its address), have full buckets.
            #expect(try await Self.get(client, "/api/version", as: "token:b").status == .ok)
            #expect(try await Self.get(client, "/api/version").status == .ok)
            #expect(try await Self.get(client, "/api/version").status == .ok)
            #expect(try await Self.get(client, "/api/version").status == .tooManyRequests)

            clock.advance(seconds: 45)
            #expect(try await Self.get(client, "/api/version", as: "session:a").headers[.retryAfter] == "15")
            clock.advance(seconds: 15)
            #expect(try await Self.get(client, "/api/version", as: "session:a").status == .ok)
        }
    }

    @Test func chatTurnsUseTheirOwnBucket() async throws {
        try await Self.application(clock: FakeClock()).test(.router) { client in
            let body = ByteBuffer(string: #"{"message":[[["hi"]]]}"#)
            #expect(try await client.execute(uri: "/api/chat", method: .post, body: body).status == .ok)
            let refused = try await client.execute(uri: "/api/chat", method: .post, body: body)
            #expect(refused.status == .tooManyRequests)
            #expect(String(buffer: refused.body).contains("too many chat turns: at most 1 a minute (bursts of 1)"))
            #expect(try await Self.get(client, "/api/version").status == .ok)
        }
    }

    @Test func bodiesAreCappedBeforeTheyAreReadAndTooDeepJSONNeverReachesTheDecoder() async throws {
        try await Self.application(clock: FakeClock()).test(.router) { client in
            #expect(String(buffer: try await Self.get(client, "/api/body-limit").body) == "1024")
            let large = try await client.execute(uri: "/api/chat", method: .post, body: ByteBuffer(repeating: 0x20, count: 1025))
            #expect(large.status == .contentTooLarge)
            #expect(String(buffer: large.body).contains(#""code":"too_large""#))
            let deep = try await client.execute(uri: "/api/chat", method: .post, body: ByteBuffer(string: #"{"m":[[[["x"]]]]}"#))
            #expect(deep.status == .badRequest)
            #expect(String(buffer: deep.body).contains("nested more than 4 levels deep (limits.json_max_depth)"))
            // The framework's own error for a body collected past a handler's limit is a JSON 413, not a 500.
            let upload = try await client.execute(uri: "/upload", method: .post, body: ByteBuffer(string: "eleven char"))
            #expect(upload.status == .contentTooLarge)
            #expect(String(buffer: upload.body).contains(#""code":"too_large""#))
        }
    }
}
