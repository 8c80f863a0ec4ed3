import Hummingbird
import NTHTTP

/// Registers routes on the router and remembers each (method, path), so a test can compare the router with
/// `docs/openapi.yaml` and the two cannot drift apart.
final class RouteTable {
    let router: Router<AppRequestContext>
    private(set) var entries: [(method: String, path: String)] = []

    init(router: Router<AppRequestContext>) {
        self.router = router
    }

    typealias Handler = @Sendable (Request, AppRequestContext) async throws -> Response

    func add(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        entries.append((method.rawValue, path))
        router.on(RouterPath(path.replacingBraces()), method: method, use: handler)
    }
}

extension String {
    /// `/api/conversations/{id}` (OpenAPI style) → `/api/conversations/:id` (Hummingbird style).
    func replacingBraces() -> String {
        split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : String(part)
        }.joined(separator: "/")
    }
}
