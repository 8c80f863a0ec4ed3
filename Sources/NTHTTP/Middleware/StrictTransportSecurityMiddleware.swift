import HTTPTypes
import Hummingbird

/// Sends `Strict-Transport-Security` while browsers reach the appliance over https (a TLS-terminating proxy in
/// front, as `server.public_url` says), so a later visit cannot be downgraded to plain http and lose its cookie.
/// Over plain http the header would be ignored by browsers, so it is not sent.
public struct StrictTransportSecurityMiddleware<Context: RequestContext>: RouterMiddleware {
    /// One year, the value HSTS preload lists ask for.
    public static var value: String { "max-age=31536000" }
    let isHTTPS: @Sendable () -> Bool

    /// `isHTTPS` is asked per response (the configuration may change on SIGHUP).
    public init(isHTTPS: @escaping @Sendable () -> Bool) {
        self.isHTTPS = isHTTPS
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard isHTTPS() else { return try await next(request, context) }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[HTTPField.Name("Strict-Transport-Security")!] = Self.value
        return response
    }
}
