import Metrics
import NTAuth
import NTChat
import NTSystem
import Synchronization

/// `neural_terminal_spend_by_user_usd{user, period}`: each account's spend today and this month, by account name,
/// published at every scrape — while the accounts with spend this month are at most ``maxSeries``.
///
/// A label per person is fine for a lab or a class, not for an appliance with thousands of accounts: above the
/// bound no per-person series is published (those published before are removed) and
/// `neural_terminal_spend_by_user_suppressed` is 1; `GET /api/usage?scope=appliance` still lists everyone.
final class SpendByUserGauges: Sendable {
    /// At most this many accounts get series (two each: today and month).
    static let maxSeries = 50

    let store: any SpendStore
    let accounts: AuthStore
    let today: @Sendable () -> UTCDay
    private let published = Mutex<Set<String>>([])

    init(store: any SpendStore, accounts: AuthStore, today: @escaping @Sendable () -> UTCDay = { UTCDay.today() }) {
        self.store = store
        self.accounts = accounts
        self.today = today
    }

    /// Reads every account's spend and records it; leaves the gauges as they were when storage cannot answer.
    func publish() async {
        guard let spenders = try? await store.spendByOwner(day: today()),
              let all = try? await accounts.accounts() else { return }
        let names = Dictionary(all.map { ($0.id, $0.name) }) { first, _ in first }
        let suppressed = spenders.count > Self.maxSeries
        Gauge(label: "neural_terminal_spend_by_user_suppressed").record(suppressed ? 1 : 0)
        let shown = suppressed ? [] : spenders
        for (owner, spend) in shown {
            let user = names[owner] ?? owner
            Gauge(label: "neural_terminal_spend_by_user_usd", dimensions: [("user", user), ("period", "today")]).record(spend.today)
            Gauge(label: "neural_terminal_spend_by_user_usd", dimensions: [("user", user), ("period", "month")]).record(spend.month)
        }
        let current = Set(shown.map { names[$0.ownerID] ?? $0.ownerID })
        let gone = published.withLock { previous in
            defer { previous = current }
            return previous.subtracting(current)
        }
        for user in gone {
            for period in ["today", "month"] {
                Gauge(label: "neural_terminal_spend_by_user_usd", dimensions: [("user", user), ("period", period)]).destroy()
            }
        }
    }
}
