import Hummingbird
import Logging
import Metrics
#if canImport(Glibc)
import Glibc
#endif

/// Logs one line per request (method, path, query, status, duration) and counts it in `http_requests_total` and
/// `http_request_duration_seconds`. The query is logged because it helps debugging; the log handler redacts any
/// secret in it.
public struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let route = context.endpointPath ?? "unmatched"
        Counter(label: "http_requests_total", dimensions: [
            ("method", request.method.rawValue), ("route", route), ("status", String(response.status.code)),
        ]).increment()
        Metrics.Timer(label: "http_request_duration_seconds", dimensions: [("route", route)]).record(duration: elapsed)
        context.logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)",
                "path": "\(request.uri.path)",
                "query": "\(request.uri.query ?? "")",
                "status": "\(response.status.code)",
                "duration_ms": "\((ms * 100).rounded() / 100)",
            ]
        )
        return response
    }
}
