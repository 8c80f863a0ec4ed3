import HTTPTypes
import Hummingbird
import NTHTTP

/// The size of request bodies: at most `server.max_body_bytes`, read for each request.
///
/// Sets `context.bodyLimit`, which every `decode` and `collectBody(upTo:)` downstream honours (a body that
/// streams past it is refused by ``JSONDepthMiddleware`` or the handler), and refuses a `Content-Length` over the
/// limit before any of the body is read: 413 `too_large`. `POST /api/import` streams its body (up to 1 GiB,
/// checked by the importer) and is left alone.
///
/// Cheap and body-free, so it belongs early in the chain, before anything that reads a body (authentication's
/// login route included). It answers refusals itself rather than throwing.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let limits: @Sendable () -> BodyLimits

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.streamsItsBody(method: request.method, path: request.uri.path) { return try await next(request, context) }
        let limits = limits()
        var context = context
        context.bodyLimit = limits.maxBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limits.maxBytes {
            return try Self.tooLarge(limits.maxBytes, request: request, context: context)
        }
        return try await next(request, context)
    }

    /// `POST /api/import`: an archive streamed through the importer, which has limits of its own.
    static func streamsItsBody(method: HTTPRequest.Method, path: String) -> Bool {
        method == .post && path.split(separator: "/", omittingEmptySubsequences: true) == ["api", "import"]
    }

    /// The 413 of a body over `limit` bytes.
    static func tooLarge(_ limit: Int, request: Request, context: Context) throws -> Response {
        try APIError(
            .contentTooLarge, code: "too_large",
            message: "the request body is larger than \(limit) bytes (server.max_body_bytes)"
        ).response(from: request, context: context)
    }
}
