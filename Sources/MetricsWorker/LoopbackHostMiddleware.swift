import Hummingbird
import Logging
import NTConfig
import NTHTTP
import NTWorkerKit

/// While the metrics listener is on a loopback address, answers only requests addressed to a loopback name
/// (421 otherwise): a web page whose own name was rebound to 127.0.0.1 (DNS rebinding) must not read `/metrics`
/// (spend, budgets) or `/ready` (the key's remaining credit). A listener on another address is reached by its
/// own names (a container's, a host's), so there the bearer token is the protection.
struct LoopbackHostMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let config: ConfigStore
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let listen = try? ListenAddress(parsing: config.current.metrics.listen), listen.isLoopback else {
            return try await next(request, context)
        }
        if let host = request.head.authority, LoopbackHost.contains(host) {
            return try await next(request, context)
        }
        logger.warning("metrics request refused: not addressed to a loopback name", metadata: [
            "host": "\(String((request.head.authority ?? "").prefix(200)))", "path": "\(request.uri.path)",
        ])
        throw APIError(.misdirectedRequest, code: "host_not_allowed", message: "the metrics listener answers only to localhost, 127.0.0.1 or [::1]")
    }
}
