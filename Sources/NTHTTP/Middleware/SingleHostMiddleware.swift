import HTTPTypes
import Hummingbird

/// Refuses a request that names more than one `Host` (RFC 9112 §3.2: answer 400).
///
/// The HTTP/1 codec turns the first `Host` into the request's authority and leaves any further one among the
/// header fields. Which of two hosts a component believes differs from server to proxy to cache, and the checks
/// that read the authority (the loopback-`Host` rule against DNS rebinding, the origin check) must not be
/// satisfied by one while another part of a chain acts on the other.
public struct SingleHostMiddleware<Context: RequestContext>: RouterMiddleware {
    /// `Host` by name: HTTPTypes marks `.host` unavailable (it is the authority), yet a second one stays a field.
    static var host: HTTPField.Name { HTTPField.Name("Host")! }

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.headers[Self.host] == nil else {
            context.logger.info("request refused: more than one Host header", metadata: ["path": "\(request.uri.path)"])
            throw APIError(.badRequest, code: "duplicate_host", message: "the request has more than one Host header")
        }
        return try await next(request, context)
    }
}
