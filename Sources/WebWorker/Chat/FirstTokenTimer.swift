import Metrics
import NTChat

/// Times a streamed turn's first token, as its client sees it, for `neural_terminal_chat_ttft_seconds{model}` and
/// `neural_terminal_chat_added_ttft_seconds`.
///
/// The time to first token runs from the request's arrival to the end of the write that carried the first piece
/// of answer or reasoning text. The appliance's share of it is what remains after taking out the wait for the
/// upstream, from the moment the turn was admitted (its upstream request is sent then) to the moment the turn
/// relayed the first token it received; retries before the first token count as waiting for the upstream.
/// A turn that ends before any text (an error, a stop) records nothing.
struct FirstTokenTimer {
    let model: String
    let received: ContinuousClock.Instant
    let admitted: ContinuousClock.Instant
    private var relayed: ContinuousClock.Instant?
    private var recorded = false

    init(model: String, received: ContinuousClock.Instant, admitted: ContinuousClock.Instant = .now) {
        self.model = model
        self.received = received
        self.admitted = admitted
    }

    /// Notes the moment the first text event was handed over; call for every event emitted.
    mutating func emitted(_ event: ChatEvent) {
        guard relayed == nil else { return }
        switch event {
        case .delta, .reasoning: relayed = .now
        default: break
        }
    }

    /// Records both metrics at the end of the first write that carried text; later calls do nothing.
    mutating func flushed() {
        guard !recorded, let relayed else { return }
        recorded = true
        let now = ContinuousClock.now
        Timer(label: "neural_terminal_chat_ttft_seconds", dimensions: [("model", model)]).record(duration: now - received)
        Timer(label: "neural_terminal_chat_added_ttft_seconds").record(duration: (admitted - received) + (now - relayed))
    }
}
