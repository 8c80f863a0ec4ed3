import HTTPTypes
import Hummingbird
import NTConfig
import NTHTTP
import NTWorkerKit

/// Behind a trusted reverse proxy (`server.trusted_proxies`), takes the client's address from `X-Forwarded-For`
/// into `context.clientIP`, so the login throttle, the rate limits and the logs see clients instead of one proxy.
/// A peer that is not listed is never believed: its header could say anything.
struct ForwardedClientMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let config: ConfigStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let trusted = config.current.trustedProxies
        guard !trusted.isEmpty,
              let client = ClientAddress.forwardedClient(peer: context.peerIP, forwardedFor: request.headers[values: .xForwardedFor].joined(separator: ","), trusted: trusted)
        else { return try await next(request, context) }
        var context = context
        context.clientIP = client
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
