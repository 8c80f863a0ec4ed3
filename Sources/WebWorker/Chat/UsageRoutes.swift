import Hummingbird
import NTAuth
import NTChat
import NTHTTP

/// `GET /api/usage`: spend today and this month against the budgets, what remains, the circuit breaker, and
/// spend per model and per day over the last 30 days (UTC).
///
/// Everyone gets their own (`scope: person`): their spend against their own budgets, or the appliance's when they
/// have none, and what remains is never more than the appliance's budget still allows. An admin may ask for
/// `?scope=appliance`: everyone's spend against `[budget]`, with each account's totals (`by_user`), never texts.
struct UsageRoutes: Sendable {
    let service: ChatService
    /// Names the accounts of the admins' `by_user`.
    let accounts: AuthStore

    func add(to table: RouteTable) {
        // A storage failure is answered like on every route (StorageErrorMiddleware: 503/507 with Retry-After).
        table.add(.get, "/api/usage") { request, context in
            guard let budget = service.budget else {
                throw APIError(.serviceUnavailable, code: "usage_unavailable", message: "spend accounting is not set up in this process")
            }
            guard let account = context.account else { throw APIError(.unauthorized, code: "unauthenticated", message: "log in first") }
            let breaker = service.breaker?.snapshot ?? .closed
            switch request.uri.queryParameters.get("scope") ?? "person" {
            case "person":
                return JSONBody.response(try await budget.report(breaker: breaker, person: account.personalBudget))
            case "appliance":
                guard account.isAdmin else {
                    throw APIError(.forbidden, code: "admin_only", message: "only an admin sees everyone's spend")
                }
                var report = try await budget.report(breaker: breaker)
                let names = Dictionary(try await accounts.accounts().map { ($0.id, $0.name) }) { first, _ in first }
                report.byUser = report.byUser?.map { (names[$0.ownerID] ?? $0.ownerID, $0.spend) }
                return JSONBody.response(report)
            default:
                throw APIError(.badRequest, code: "invalid_request", message: "scope must be person or appliance")
            }
        }
    }
}

extension RequestAccount {
    /// The budgets a turn of this person is checked against, beside the appliance's.
    var personalBudget: PersonalBudget {
        PersonalBudget(ownerID: id, dailyUSD: dailyBudgetUSD, monthlyUSD: monthlyBudgetUSD)
    }
}
