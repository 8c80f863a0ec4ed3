import Metrics
import NTOpenRouter

extension ChatTurn {
    /// Gives an answer that received no usage a cost all the same: its prompt and its text counted with
    /// ``TokenEstimate``, priced from the models catalog, stored with `cost_source = estimated` (replaced when the
    /// upstream's own record is reconciled), and announced to the client in a `usage` event like a reported one.
    /// Without the model's prices the answer stays unpriced.
    func estimateCost(into outcome: inout MessageOutcome, emit: (ChatEvent) -> Void) async {
        let reasoning = TokenEstimate.tokens(in: outcome.reasoning)
        let completion = TokenEstimate.tokens(in: outcome.content) + reasoning
        let prompt = TokenEstimate.tokens(in: plan.body.messages)
        let usage = Usage(promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion, reasoningTokens: reasoning)
        let (prices, model) = (context.prices, model)
        guard let cost = await offLoop({ await prices(model)?.cost(usage: usage) }) else { return }
        outcome.promptTokens = prompt
        outcome.completionTokens = completion
        outcome.reasoningTokens = reasoning
        outcome.costUSD = cost
        outcome.costSource = .estimated
        FloatingPointCounter(label: "neural_terminal_chat_cost_usd_total", dimensions: [("model", model)]).increment(by: cost)
        let (guards, conversationID, person) = (context.guards, control.conversationID, admission.person)
        let warning = await offLoop { await guards.isWarning(conversationID: conversationID, person: person, pendingUSD: cost) }
        emit(.usage(.init(
            promptTokens: prompt, completionTokens: completion, reasoningTokens: reasoning, costUSD: cost,
            costSource: .estimated, budgetWarning: warning
        )))
    }
}
