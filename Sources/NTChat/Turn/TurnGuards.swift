import Logging
import Metrics
import NTStorage

/// The one place a turn's guards are taken and given back: the circuit breaker's permit and the budget's
/// reservation. A turn is admitted once (``admit(conversationID:plan:logger:)``), may take a fresh breaker permit
/// for each retry (``permitRetry()``), reports each attempt's outcome (``record(_:)``), and settles once, whatever
/// happened (``settle(_:)``, or ``abandon(_:)`` when it never reached the upstream).
struct TurnGuards: Sendable {
    let budget: BudgetGuard?
    let breaker: CircuitBreaker?

    /// What an admitted turn holds.
    struct Admission: Sendable {
        /// The model the turn asks for: its breaker permits are for that model.
        var model: String
        var reservation: BudgetReservation?
        var permit: BreakerPermit?
        /// The asker's own budgets, which the turn's budget warning also looks at.
        var person: PersonalBudget?
    }

    /// The breaker first, for the plan's model (while the upstream's or the model's circuit is open, refusing
    /// costs no database query), then the plan's worst case against every budget.
    func admit(conversationID: String, plan: TurnPlan, person: PersonalBudget?, logger: Logger) async throws(TurnRefusal) -> Admission {
        var admission = Admission(model: plan.body.model, person: person)
        if let breaker {
            switch breaker.acquire(model: admission.model) {
            case .success(let granted):
                admission.permit = granted
            case .failure(let open):
                Counter(label: "neural_terminal_chat_refusals_total", dimensions: [("reason", "circuit_open")]).increment()
                var metadata: Logger.Metadata = ["retry_at": "\(BreakerSnapshot.rfc3339(open.retryAtEpochSeconds))"]
                if let model = open.model { metadata["model"] = "\(model)" }
                logger.notice("chat refused: circuit open", metadata: metadata)
                throw .circuitOpen(open)
            }
        }
        guard let budget else { return admission }
        do {
            admission.reservation = try await budget.admit(conversationID: conversationID, worstCaseUSD: plan.worstCaseUSD, person: person)
            return admission
        } catch {
            if let permit = admission.permit { breaker?.record(permit, .ignored) }
            if let exceeded = error as? BudgetExceeded {
                Counter(label: "neural_terminal_chat_refusals_total", dimensions: [("reason", "budget_exceeded")]).increment()
                logger.notice("chat refused: budget", metadata: [
                    "budget": "\(exceeded.budget.rawValue)", "personal": "\(exceeded.personal)", "limit_usd": "\(exceeded.limitUSD)", "spent_usd": "\(exceeded.spentUSD)",
                    "worst_case_usd": "\(exceeded.worstCaseUSD.map { "\($0)" } ?? "unknown")", "model": "\(plan.body.model)",
                ])
                throw .budgetExceeded(exceeded)
            }
            throw .storage(StorageFault(error))
        }
    }

    /// Reports how an attempt ended to the breaker and gives its permit back.
    func record(_ admission: inout Admission, _ outcome: BreakerOutcome) {
        if let permit = admission.permit { breaker?.record(permit, outcome) }
        admission.permit = nil
    }

    /// A permit for another attempt: nil (and logged) when the upstream's or the model's circuit is not closed.
    func permitRetry(_ admission: inout Admission, code: String, logger: Logger) -> Bool {
        guard let breaker else { return true }
        guard let granted = breaker.acquireRetry(model: admission.model) else {
            logger.notice("retry skipped: the circuit breaker is not closed", metadata: ["code": "\(code)"])
            return false
        }
        admission.permit = granted
        return true
    }

    /// Whether stored spend plus `pendingUSD` reaches a budget's warning share (the person's own included).
    func isWarning(conversationID: String, person: PersonalBudget?, pendingUSD: Double) async -> Bool {
        await budget?.isWarning(conversationID: conversationID, person: person, pendingUSD: pendingUSD) ?? false
    }

    /// Gives back the reservation once the answer's cost is stored (and publishes the spend gauges).
    func settle(_ admission: inout Admission) async {
        if let permit = admission.permit { breaker?.record(permit, .ignored) }
        admission.permit = nil
        if let reservation = admission.reservation { await budget?.settle(reservation) }
        admission.reservation = nil
    }

    /// Gives back everything of a turn that never reached the upstream.
    func abandon(_ admission: Admission) {
        if let reservation = admission.reservation { budget?.release(reservation) }
        if let permit = admission.permit { breaker?.record(permit, .ignored) }
    }
}
