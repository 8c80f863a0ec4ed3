import Hummingbird
import NIOCore
import Logging

/// The request context of every Neural Terminal router: Hummingbird's core storage plus the correlation id,
/// the client's address and, once authentication ran, who is asking.
///
/// The correlation id is set by ``RequestIDMiddleware`` before any other middleware runs; every log line the
/// request causes carries it (as `request_id`), it is echoed in `X-Request-ID`, and later goes upstream too.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The correlation id of this request (taken from a valid `X-Request-ID` or generated).
    public var requestID: String = ""
    /// The TCP peer's IP address as text (`127.0.0.1`, `::1`), or `"unknown"` (a unix socket, a closed channel).
    public let peerIP: String
    /// The client's IP address: the peer's, or — when the peer is a trusted reverse proxy (`server.trusted_proxies`)
    /// — the address it reports in `X-Forwarded-For`. Rate limits of unauthenticated requests (logins) and the
    /// logs use it.
    public var clientIP: String
    /// Who is asking, set by the web worker's authentication middleware: `session:<id>`, `token:<id>`,
    /// `proxy:<account id>` (auth mode `proxy`) or `local` (auth mode `none`); nil before authentication or on
    /// routes that need none. Rate limits of
    /// authenticated requests are keyed by it.
    public var principal: String?
    /// The account the request acts as, set with `principal`: every route that reads or changes a person's data
    /// scopes it to this account.
    public var account: RequestAccount?
    /// The largest body a route may collect; the web worker sets it from `server.max_body_bytes`.
    public var bodyLimit: Int = 1 << 20

    /// The event loop that owns the client's connection: a streamed response runs its work there (see
    /// ``EventLoopTaskExecutor``).
    public let eventLoop: any EventLoop
    /// When the request's head arrived (the context is made then): the start of the time to first token the
    /// chat metrics measure.
    public let receivedAt = ContinuousClock.now

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.eventLoop = source.channel.eventLoop
        self.peerIP = source.channel.remoteAddress?.ipAddress ?? "unknown"
        self.clientIP = peerIP
    }

    /// Bodies decoded by the JSON API are capped here; the chat API sets tighter limits per route.
    public var maxUploadSize: Int { bodyLimit }
}

/// The account a request acts as, as the authentication middleware found it.
public struct RequestAccount: Sendable, Equatable {
    public let id: String
    public let name: String
    public let isAdmin: Bool
    /// The person's own budgets in USD (nil: none), checked before each turn beside the appliance's.
    public let dailyBudgetUSD: Double?
    public let monthlyBudgetUSD: Double?

    public init(id: String, name: String, isAdmin: Bool, dailyBudgetUSD: Double? = nil, monthlyBudgetUSD: Double? = nil) {
        self.id = id
        self.name = name
        self.isAdmin = isAdmin
        self.dailyBudgetUSD = dailyBudgetUSD
        self.monthlyBudgetUSD = monthlyBudgetUSD
    }
}
