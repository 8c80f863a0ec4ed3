import Hummingbird
import NTChat
import NTHTTP

/// `GET /api/usage`: spend today and this month against the budgets, what remains, the circuit breaker, and
/// spend per model and per day over the last 30 days (UTC).
struct UsageRoutes: Sendable {
    let service: ChatService

    func add(to table: RouteTable) {
        table.add(.get, "/api/usage") { _, context in
            guard let budget = service.budget else {
                throw APIError(.serviceUnavailable, code: "usage_unavailable", message: "spend accounting is not set up in this process")
            }
            do {
                return JSONBody.response(try await budget.report(breaker: service.breaker?.snapshot ?? .closed))
            } catch {
                context.logger.error("usage report failed", metadata: ["error": "\(error)"])
                throw APIError(.internalServerError, code: "storage_error", message: "could not read the spend from the database")
            }
        }
    }
}
