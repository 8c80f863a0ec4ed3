import HTTPTypes
import Hummingbird
import NTHTTP

/// JSON nesting of request bodies: at most `limits.json_max_depth`, read for each request.
///
/// The body of a `POST`, `PUT` or `PATCH` to `/api` is collected here, up to `server.max_body_bytes` (a body that
/// streams past it is a 413 `too_large`), and its depth is measured on the raw bytes (``JSONDepth``) before any
/// decoder recurses into it: too deep is a 400 `invalid_json`. Handlers then decode the collected buffer.
/// `POST /api/import` streams its body and is left alone (the importer decodes one bounded record at a time).
///
/// It answers refusals itself rather than throwing, so it works anywhere in the chain; after the rate limit is
/// the cheaper place, since collecting a body costs more than refusing a request.
struct JSONDepthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let limits: @Sendable () -> BodyLimits

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard Self.decodesBody(method: request.method, path: path),
              !BodyLimitMiddleware.streamsItsBody(method: request.method, path: path) else {
            return try await next(request, context)
        }
        let limits = limits()
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: limits.maxBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return try BodyLimitMiddleware.tooLarge(limits.maxBytes, request: request, context: context)
        }
        if JSONDepth.exceeds(limits.jsonMaxDepth, in: body) {
            return try APIError(
                .badRequest, code: "invalid_json",
                message: "the JSON body is nested more than \(limits.jsonMaxDepth) levels deep (limits.json_max_depth)"
            ).response(from: request, context: context)
        }
        return try await next(request, context)
    }

    /// Requests whose JSON body a handler may decode.
    static func decodesBody(method: HTTPRequest.Method, path: String) -> Bool {
        [.post, .put, .patch].contains(method) && path.split(separator: "/", omittingEmptySubsequences: true).first == "api"
    }
}
