import Hummingbird
import NTChat
import NTHTTP

/// `GET /api/usage`: spend today and this month against the budgets, what remains, the circuit breaker, and
/// spend per model and per day over the last 30 days (UTC).
struct UsageRoutes: Sendable {
    let service: ChatService

    func add(to table: RouteTable) {
        // A storage failure is answered like on every route (StorageErrorMiddleware: 503/507 with Retry-After).
        table.add(.get, "/api/usage") { _, _ in
            guard let budget = service.budget else {
                throw APIError(.serviceUnavailable, code: "usage_unavailable", message: "spend accounting is not set up in this process")
            }
            return JSONBody.response(try await budget.report(breaker: service.breaker?.snapshot ?? .closed))
        }
    }
}
