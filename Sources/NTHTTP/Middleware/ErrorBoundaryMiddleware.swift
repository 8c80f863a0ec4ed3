import Hummingbird
import Logging
import NIOHTTP1

/// The error body of every JSON API: `{"error": {"code": "...", "message": "..."}}`.
public struct APIErrorBody: Codable, Sendable {
    public struct Detail: Codable, Sendable {
        public let code: String
        public let message: String
    }
    public let error: Detail

    public init(code: String, message: String) {
        self.error = Detail(code: code, message: message)
    }
}

/// An error a handler throws to answer with a given status and a JSON error body.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONBody.response(APIErrorBody(code: code, message: message), status: status)
        for field in headers { response.headers.append(field) }
        return response
    }
}

/// Keeps the process serving whatever a handler throws: known HTTP errors become JSON error bodies, anything
/// else is logged with the correlation id and answered with a 500 that reveals nothing internal.
public struct ErrorBoundaryMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let code = error.status.code == 404 ? "not_found" : "http_\(error.status.code)"
            let message = error.body ?? error.status.reasonPhrase
            var response = JSONBody.response(APIErrorBody(code: code, message: message), status: error.status)
            for field in error.headers { response.headers.append(field) }
            return response
        } catch let error as HTTPParserError {
            // The body's framing broke while the handler read it: the client's fault, answered 4xx. The
            // connection's FramingErrorHandler has usually answered already (and this response is then dropped).
            context.logger.info("malformed request body", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            var response = JSONBody.response(
                APIErrorBody(code: MalformedRequest.code(for: error), message: MalformedRequest.message(for: error)),
                status: MalformedRequest.status(for: error)
            )
            response.headers[.connection] = "close"
            return response
        } catch let error as any HTTPResponseError {
            // The framework's own errors (a body collected past its limit is NIOTooManyBytesError): their status
            // with a JSON body, never a 500.
            let code = error.status == .contentTooLarge ? "too_large" : "http_\(error.status.code)"
            return JSONBody.response(APIErrorBody(code: code, message: error.status.reasonPhrase), status: error.status)
        } catch {
            context.logger.error("unhandled error in handler", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return JSONBody.response(
                APIErrorBody(code: "internal", message: "internal error; see the server log for the request id"),
                status: .internalServerError
            )
        }
    }
}
