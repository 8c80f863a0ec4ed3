import Hummingbird
import Logging
import Metrics
#if canImport(Glibc)
import Glibc
#endif

/// Logs one line per request (method, path, query, status, duration) and counts it in `neural_terminal_http_requests_total` and
/// `neural_terminal_http_request_duration_seconds`.
///
/// The query is logged because it helps debugging, and the log handler redacts it like every value (the
/// upstream key in any of its forms, tokens, personal data). On paths whose query carries what a user typed
/// (`userTextPaths`, e.g. `/api/search?q=…`) only the parameter names are logged (`q&limit`): a search text is
/// the user's, not the operator's, and may hold anything.
public struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let userTextPaths: Set<String>

    /// - Parameter userTextPaths: request paths (exact) whose query values are never logged, only their names;
    ///   by default the full-text search.
    public init(userTextPaths: Set<String> = ["/api/search"]) {
        self.userTextPaths = userTextPaths
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let route = context.endpointPath ?? "unmatched"
        Counter(label: "neural_terminal_http_requests_total", dimensions: [
            ("method", request.method.rawValue), ("route", route), ("status", String(response.status.code)),
        ]).increment()
        Metrics.Timer(label: "neural_terminal_http_request_duration_seconds", dimensions: [("route", route)]).record(duration: elapsed)
        let path = request.uri.path
        context.logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)",
                "path": "\(path)",
                // The matched route, not the path as sent: `/api/search/` and `//api//search` reach the same route.
                "query": "\(Self.loggedQuery(request.uri.query ?? "", userText: userTextPaths.contains(route) || userTextPaths.contains(path)))",
                "status": "\(response.status.code)",
                "duration_ms": "\((ms * 100).rounded() / 100)",
            ]
        )
        return response
    }

    /// The query as logged: whole (the log handler redacts it), or only the parameter names, in order, joined
    /// by `&`, when the values are user text.
    static func loggedQuery(_ query: String, userText: Bool) -> String {
        guard userText, !query.isEmpty else { return query }
        return query.split(separator: "&").map { $0.split(separator: "=", maxSplits: 1).first.map(String.init) ?? "" }
            .joined(separator: "&")
    }
}
