import Metrics
import NTSystem
import Synchronization

/// `neural_terminal_spend_today_usd{model}`: what each model has cost on the current UTC day, read from the running
/// totals per day and model (answers of every process, deleted ones included, as the budgets count them).
///
/// The web worker publishes it on every scrape: a dashboard sees spend per day and model against the daily
/// budget without summing counters that restart with the worker. A model with no spend today (the day rolled
/// over) loses its series instead of keeping yesterday's figure.
public final class SpendTodayGauges: Sendable {
    let store: any SpendStore
    let today: @Sendable () -> UTCDay
    private let published = Mutex<Set<String>>([])

    public init(store: any SpendStore, today: @escaping @Sendable () -> UTCDay = { UTCDay.today() }) {
        self.store = store
        self.today = today
    }

    /// Reads today's spend per model and records it; leaves the gauges as they were when storage cannot answer.
    public func publish() async {
        let day = today()
        guard let models = try? await store.spendByModel(from: day, to: day.adding(days: 1)) else { return }
        for model in models {
            Gauge(label: "neural_terminal_spend_today_usd", dimensions: [("model", model.model)]).record(model.spendUSD)
        }
        let current = Set(models.map(\.model))
        let gone = published.withLock { previous in
            defer { previous = current }
            return previous.subtracting(current)
        }
        for model in gone {
            Gauge(label: "neural_terminal_spend_today_usd", dimensions: [("model", model)]).destroy()
        }
    }
}
