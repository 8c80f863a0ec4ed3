import HTTPTypes
import Hummingbird
import Logging
import Metrics
import NTConfig
import NTHTTP

/// Which token bucket a request is counted in.
enum RateBucket: String, Sendable, CaseIterable {
    /// Every `/api` request that does not start a chat turn.
    case api
    /// Requests that start an upstream turn: they cost money and upstream capacity. An edit (`edit_of`) and a
    /// regeneration of any answer (`message_id`) are turns too; switching branches (`PUT …/leaf`) and deleting a
    /// message (`DELETE …/messages/{message_id}`) call no upstream and count as `api`.
    case chat

    /// The bucket of a request, or nil for requests outside `/api` (the UI's files are never limited).
    /// Paths are split like the router splits them (empty segments ignored), so `/api//chat` is still a chat.
    static func of(method: HTTPRequest.Method, path: String) -> RateBucket? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.first == "api" else { return nil }
        guard method == .post else { return .api }
        if parts.count == 2, parts[1] == "chat" { return .chat }
        if parts.count == 4, parts[1] == "conversations", parts[3] == "messages" || parts[3] == "regenerate" { return .chat }
        return .api
    }
}

/// Rate limits of the JSON API: one token bucket per caller for `/api` requests and a tighter
/// one for chat turns, sized by `[limits]` at the point of use. A refused request gets HTTP 429 `rate_limited`
/// with `Retry-After` (whole seconds, at least 1), is counted in `neural_terminal_rate_limit_refusals_total{bucket}` and logged
/// as a warning at most once a minute per caller and bucket (and at most 60 lines a minute in all).
///
/// The caller is `context.principal` once authentication has run, else the client's IP address; this middleware
/// assumes nothing else about its place in the chain. It answers refusals itself rather than throwing.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let limits: @Sendable () -> RateLimits
    let clock: @Sendable () -> ContinuousClock.Instant
    private let api = TokenBucketLimiter()
    private let chat = TokenBucketLimiter()
    private let logPerCaller = TokenBucketLimiter()
    private let logOverall = TokenBucketLimiter(maxKeys: 1)

    init(limits: @escaping @Sendable () -> RateLimits, clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.limits = limits
        self.clock = clock
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let bucket = RateBucket.of(method: request.method, path: request.uri.path) else {
            return try await next(request, context)
        }
        let caller = context.principal ?? "ip:" + ClientAddress.limitKey(context.clientIP)
        let limit = limits()[bucket]
        let now = clock()
        guard case .refused(let wait) = limiter(bucket).take(caller, limit: limit, now: now) else {
            return try await next(request, context)
        }
        let seconds = wait.retryAfterSeconds
        Counter(label: "neural_terminal_rate_limit_refusals_total", dimensions: [("bucket", bucket.rawValue)]).increment()
        if shouldLog(caller: caller, bucket: bucket, now: now) {
            context.logger.warning("rate limit exceeded; request refused", metadata: [
                "bucket": "\(bucket.rawValue)", "caller": "\(caller)", "method": "\(request.method.rawValue)",
                "path": "\(request.uri.path)", "retry_after_s": "\(seconds)",
            ])
        }
        var error = APIError(
            .tooManyRequests, code: "rate_limited",
            message: "too many \(bucket == .chat ? "chat turns" : "API requests"): at most \(limit.perMinute) a minute "
                + "(bursts of \(limit.burst)); retry in \(seconds) s"
        )
        error.headers[.retryAfter] = String(seconds)
        return try error.response(from: request, context: context)
    }

    private func limiter(_ bucket: RateBucket) -> TokenBucketLimiter {
        switch bucket {
        case .api: api
        case .chat: chat
        }
    }

    /// One line per caller and bucket a minute, 60 a minute in all: a flood must not flood the log.
    private func shouldLog(caller: String, bucket: RateBucket, now: ContinuousClock.Instant) -> Bool {
        logPerCaller.take(bucket.rawValue + " " + caller, limit: RateLimit(perMinute: 1, burst: 1), now: now) == .allowed
            && logOverall.take("all", limit: RateLimit(perMinute: 60, burst: 10), now: now) == .allowed
    }
}
