import Metrics
import NTSystem
import Synchronization

/// Recorded spend, as storage keeps it: the cost of every answer, including answers since deleted.
public protocol SpendStore: Sendable {
    /// Spend on `day` (UTC), in `day`'s calendar month, and in the conversation (0 when `conversationID` is nil).
    func spend(day: UTCDay, conversationID: String?) async throws -> Spend
    /// One account's spend on `day` (UTC) and in `day`'s calendar month (the conversation part is 0).
    func spend(day: UTCDay, ownerID: String) async throws -> Spend
    /// Spend per day for days in `[from, to)` that have any; days without spend are left out.
    func spendByDay(from: UTCDay, to: UTCDay) async throws -> [UTCDay: Double]
    /// Spend and priced answers per model for days in `[from, to)`, most expensive first.
    func spendByModel(from: UTCDay, to: UTCDay) async throws -> [ModelSpend]
    /// One account's spend per day for days in `[from, to)` that have any.
    func spendByDay(from: UTCDay, to: UTCDay, ownerID: String) async throws -> [UTCDay: Double]
    /// One account's spend per model for days in `[from, to)`, most expensive first.
    func spendByModel(from: UTCDay, to: UTCDay, ownerID: String) async throws -> [ModelSpend]
    /// Every account's spend on `day` and in its month, the biggest spender first.
    func spendByOwner(day: UTCDay) async throws -> [(ownerID: String, spend: Spend)]
}

/// One model's spend over a period, as `GET /api/usage` lists it.
public struct ModelSpend: Sendable, Equatable {
    public var model: String
    public var spendUSD: Double
    /// Answers with a recorded cost (free ones included).
    public var messages: Int

    public init(model: String, spendUSD: Double, messages: Int) {
        self.model = model
        self.spendUSD = spendUSD
        self.messages = messages
    }
}

/// The worst case a turn was admitted with, held until its actual cost is stored.
public struct BudgetReservation: Sendable, Equatable {
    let id: Int
    let conversationID: String
    /// The account whose personal budgets it counts against, if any.
    let ownerID: String?
    let day: UTCDay
    /// The first day of `day`'s month, kept so that counting the open reservations (at every admission) does no
    /// calendar arithmetic.
    let month: UTCDay
    /// The amount reserved: the worst case, or 0 when it is unknown.
    public let amountUSD: Double
    /// Its row in the shared ledger (several instances on one database), nil when it is held in this process.
    var ledgerID: Int64? = nil

    init(id: Int, conversationID: String, ownerID: String?, day: UTCDay, amountUSD: Double) {
        self.id = id
        self.conversationID = conversationID
        self.ownerID = ownerID
        self.day = day
        self.month = day.firstOfMonth
        self.amountUSD = amountUSD
    }
}

/// Checks requests against the budgets before they are sent, and reports spend.
///
/// Spend is read from storage; answers still streaming are counted at their worst case (a reservation made at
/// admission and released once their actual cost is stored), so concurrent requests cannot together overrun a
/// budget that each alone would fit. On one machine the reservations are held in this process (another web
/// worker's streams, only during a rolling restart, count once their cost is stored); with a ``ReservationLedger``
/// (several instances on one PostgreSQL database) they are rows every instance counts.
public final class BudgetGuard: Sendable {
    let store: any SpendStore
    let ledger: (any ReservationLedger)?
    let limits: @Sendable () -> BudgetLimits
    let today: @Sendable () -> UTCDay

    private struct State {
        var reservations: [Int: BudgetReservation] = [:]
        var nextID = 0
        /// Bumped when a reservation is released (its cost is then in storage): a check that read storage before
        /// the bump would miss that cost, and reads again.
        var epoch = 0
    }
    private let state = Mutex(State())

    /// - Parameters:
    ///   - limits: read at every check, so a reloaded configuration applies to the next request.
    ///   - today: the current UTC day (injectable for tests).
    ///   - ledger: where reservations are kept when instances share the database; nil: in this process.
    public init(store: any SpendStore, ledger: (any ReservationLedger)? = nil, limits: @escaping @Sendable () -> BudgetLimits,
                today: @escaping @Sendable () -> UTCDay = { UTCDay.today() }) {
        self.store = store
        self.ledger = ledger
        self.limits = limits
        self.today = today
    }

    /// The limits in force now.
    public var currentLimits: BudgetLimits { limits() }

    /// Admits a request whose worst case is `worstCaseUSD` (nil: unknown prices) into every budget — the
    /// appliance's, then the person's own (`person`) — reserving it; release the reservation with ``settle(_:)``
    /// once the answer's cost is stored (or nothing was spent).
    ///
    /// - Throws: ``BudgetExceeded`` naming the first budget it could exceed; storage errors as they come.
    public func admit(conversationID: String, worstCaseUSD: Double?, person: PersonalBudget? = nil) async throws -> BudgetReservation {
        let limits = self.limits()
        let personal = person.map { $0.limits(warnRatio: limits.warnRatio) }
        let day = today()
        let amount = max(0, worstCaseUSD ?? 0)
        let anyBudget = BudgetKind.allCases.contains { limits.limit($0) != nil }
        let anyPersonal = personal.map { $0.dailyUSD != nil || $0.monthlyUSD != nil } ?? false
        if let ledger {
            var reservation = BudgetReservation(id: 0, conversationID: conversationID, ownerID: person?.ownerID, day: day, amountUSD: amount)
            // With no budget in force there is nothing to check, and nothing to reserve for.
            guard anyBudget || anyPersonal else { return reservation }
            let entry = LedgerEntry(conversationID: conversationID, ownerID: anyPersonal ? person?.ownerID : nil, day: day, amountUSD: amount)
            reservation.ledgerID = try await ledger.reserve(entry) { appliance, own in
                if anyBudget, let exceeded = BudgetArithmetic.check(worstCase: worstCaseUSD, spend: appliance, limits: limits) {
                    return exceeded
                }
                if anyPersonal, let personal, var exceeded = BudgetArithmetic.check(
                    worstCase: worstCaseUSD, spend: Spend(today: own.today, month: own.month), limits: personal
                ) {
                    exceeded.personal = true
                    return exceeded
                }
                return nil
            }
            return reservation
        }
        var attempt = 0
        while true {
            attempt += 1
            let epoch = state.withLock { $0.epoch }
            let stored = anyBudget ? try await store.spend(day: day, conversationID: conversationID) : Spend()
            var storedPersonal = Spend()
            if anyPersonal, let person { storedPersonal = try await store.spend(day: day, ownerID: person.ownerID) }
            let verdict = state.withLock { s -> Result<BudgetReservation, BudgetExceeded>? in
                if s.epoch != epoch && attempt < 3 { return nil }
                if anyBudget {
                    let spend = Self.adding(Self.reserved(s.reservations.values, day: day, conversationID: conversationID), to: stored)
                    if let exceeded = BudgetArithmetic.check(worstCase: worstCaseUSD, spend: spend, limits: limits) {
                        return .failure(exceeded)
                    }
                }
                if anyPersonal, let person, let personal {
                    let mine = s.reservations.values.filter { $0.ownerID == person.ownerID }
                    let spend = Self.adding(Self.reserved(mine, day: day, conversationID: conversationID), to: storedPersonal)
                    if var exceeded = BudgetArithmetic.check(worstCase: worstCaseUSD, spend: Spend(today: spend.today, month: spend.month), limits: personal) {
                        exceeded.personal = true
                        return .failure(exceeded)
                    }
                }
                s.nextID += 1
                let reservation = BudgetReservation(
                    id: s.nextID, conversationID: conversationID, ownerID: person?.ownerID, day: day, amountUSD: amount
                )
                s.reservations[reservation.id] = reservation
                return .success(reservation)
            }
            switch verdict {
            case .success(let reservation)?: return reservation
            case .failure(let exceeded)?: throw exceeded
            case nil: continue
            }
        }
    }

    /// Releases a reservation: the answer's cost is stored (or the turn never started), and then publishes the
    /// spend gauges.
    public func settle(_ reservation: BudgetReservation) async {
        if let ledger, let id = reservation.ledgerID {
            if (try? await ledger.release(reservationID: id)) == nil { Self.releaseLater(id, in: ledger) }
        } else {
            release(reservation)
        }
        await publishMetrics()
    }

    /// Releases a reservation without touching metrics (a refused or failed start).
    public func release(_ reservation: BudgetReservation) {
        if let ledger, let id = reservation.ledgerID {
            Self.releaseLater(id, in: ledger, firstAttemptNow: true)
            return
        }
        state.withLock { s in
            if s.reservations.removeValue(forKey: reservation.id) != nil { s.epoch += 1 }
        }
    }

    /// Deletes a ledger reservation in the background, retrying while the database refuses (for about ten minutes;
    /// a reservation still left counts until this runner dies, and is never an overspend).
    static func releaseLater(_ id: Int64, in ledger: any ReservationLedger, firstAttemptNow: Bool = false) {
        Task {
            var pause = Duration.seconds(1)
            for attempt in 0..<20 {
                if attempt > 0 || !firstAttemptNow {
                    try? await Task.sleep(for: pause)
                    pause = min(pause * 2, .seconds(60))
                }
                if (try? await ledger.release(reservationID: id)) != nil { return }
            }
        }
    }

    /// Whether stored spend plus `pendingUSD` (an answer whose cost is not stored yet) reaches `warn_ratio` of
    /// any budget, the conversation's and the person's own (`person`) included.
    public func isWarning(conversationID: String, person: PersonalBudget? = nil, pendingUSD: Double) async -> Bool {
        let limits = self.limits()
        let pending = max(0, pendingUSD)
        if BudgetKind.allCases.contains(where: { limits.limit($0) != nil }),
           let stored = try? await store.spend(day: today(), conversationID: conversationID),
           Self.warns(stored, pending, limits) { return true }
        guard let person else { return false }
        let own = person.limits(warnRatio: limits.warnRatio)
        guard own.dailyUSD != nil || own.monthlyUSD != nil,
              let stored = try? await store.spend(day: today(), ownerID: person.ownerID) else { return false }
        return Self.warns(stored, pending, own)
    }

    private static func warns(_ stored: Spend, _ pending: Double, _ limits: BudgetLimits) -> Bool {
        let spend = Spend(today: stored.today + pending, month: stored.month + pending, conversation: stored.conversation + pending)
        return BudgetKind.allCases.contains {
            BudgetArithmetic.isWarning(spent: spend.of($0), limit: limits.limit($0), ratio: limits.warnRatio)
        }
    }

    /// Answers admitted and not yet settled in this process.
    public var openReservations: Int { state.withLock { $0.reservations.count } }

    /// Records `neural_terminal_budget_spend_usd{budget}`, `neural_terminal_budget_limit_usd{budget}` and
    /// `neural_terminal_budget_remaining_usd{budget}` for the daily and monthly budgets (limit and remaining only
    /// while that budget is configured), and `neural_terminal_budget_warn_ratio`. (Spend per conversation has no
    /// gauge: it is one number per conversation.) The web worker calls it on every scrape, so spend rolls over
    /// at midnight UTC and a reloaded limit shows without waiting for the next answer.
    public func publishMetrics() async {
        guard let spend = try? await store.spend(day: today(), conversationID: nil) else { return }
        publish(spend, limits: limits())
    }

    func publish(_ spend: Spend, limits: BudgetLimits) {
        for kind in [BudgetKind.daily, .monthly] {
            let spent = spend.of(kind)
            Gauge(label: "neural_terminal_budget_spend_usd", dimensions: [("budget", kind.rawValue)]).record(spent)
            let remaining = Gauge(label: "neural_terminal_budget_remaining_usd", dimensions: [("budget", kind.rawValue)])
            let limit = Gauge(label: "neural_terminal_budget_limit_usd", dimensions: [("budget", kind.rawValue)])
            if let configured = limits.limit(kind) {
                remaining.record(max(0, configured - spent))
                limit.record(configured)
            } else {
                remaining.destroy()
                limit.destroy()
            }
        }
        Gauge(label: "neural_terminal_budget_warn_ratio").record(limits.warnRatio)
    }

    static func reserved(_ reservations: some Sequence<BudgetReservation>, day: UTCDay, conversationID: String) -> Spend {
        var spend = Spend()
        let month = day.firstOfMonth
        for r in reservations {
            if r.day == day { spend.today += r.amountUSD }
            if r.month == month { spend.month += r.amountUSD }
            if r.conversationID == conversationID { spend.conversation += r.amountUSD }
        }
        return spend
    }

    static func adding(_ a: Spend, to b: Spend) -> Spend {
        Spend(today: a.today + b.today, month: a.month + b.month, conversation: a.conversation + b.conversation)
    }
}
