import HTTPTypes
import Hummingbird
import Logging
import NTLog

extension HTTPField.Name {
    /// `X-Request-ID`, the correlation id header.
    public static let requestID = Self("X-Request-ID")!
}

/// Gives every request a correlation id and puts it on the logger and the response.
///
/// An incoming `X-Request-ID` is kept only if it is short and plain (see `isValidCorrelationID`), so a client
/// cannot inject text into logs through it.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let incoming = request.headers[.requestID]
        let id = incoming.flatMap { isValidCorrelationID($0) ? $0 : nil } ?? makeCorrelationID()
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        do {
            var response = try await next(request, context)
            response.headers[.requestID] = id
            return response
        } catch let error as any HTTPResponseError {
            var response = try error.response(from: request, context: context)
            response.headers[.requestID] = id
            return response
        }
    }
}
