/// The spending limits in force, read from the config (`[budget]`) at every check, so a SIGHUP applies at once.
public struct BudgetLimits: Sendable, Equatable {
    /// Most per UTC day, in USD; nil = no daily budget.
    public var dailyUSD: Double?
    /// Most per UTC calendar month, in USD; nil = no monthly budget.
    public var monthlyUSD: Double?
    /// Most per conversation, in USD; nil = no per-conversation budget.
    public var perConversationUSD: Double?
    /// Spend at or above this share of a budget is flagged as a warning, in (0, 1].
    public var warnRatio: Double

    /// Limits; a budget of nil, 0 or less means none.
    public init(dailyUSD: Double? = nil, monthlyUSD: Double? = nil, perConversationUSD: Double? = nil, warnRatio: Double = 0.8) {
        self.dailyUSD = dailyUSD.flatMap { $0 > 0 ? $0 : nil }
        self.monthlyUSD = monthlyUSD.flatMap { $0 > 0 ? $0 : nil }
        self.perConversationUSD = perConversationUSD.flatMap { $0 > 0 ? $0 : nil }
        self.warnRatio = warnRatio
    }

    /// The limit of one budget, nil when none is configured.
    public func limit(_ kind: BudgetKind) -> Double? {
        switch kind {
        case .daily: dailyUSD
        case .monthly: monthlyUSD
        case .perConversation: perConversationUSD
        }
    }
}

/// The three budgets, named as in the config (`budget.daily_usd`, …) and in metric labels.
public enum BudgetKind: String, Sendable, CaseIterable, Equatable {
    case daily
    case monthly
    case perConversation = "per_conversation"

    /// How a message names it: "daily budget", "per-conversation budget".
    public var phrase: String {
        switch self {
        case .daily: "daily budget"
        case .monthly: "monthly budget"
        case .perConversation: "per-conversation budget"
        }
    }
}

/// What has been spent, in USD, in the periods the budgets cover (reservations of answers still streaming included).
public struct Spend: Sendable, Equatable {
    public var today: Double
    public var month: Double
    public var conversation: Double
    /// The parts of `today` and `month` that are estimated, not yet confirmed by the upstream (see ``CostSource``).
    public var estimatedToday: Double = 0
    public var estimatedMonth: Double = 0

    public init(today: Double = 0, month: Double = 0, conversation: Double = 0) {
        self.today = today
        self.month = month
        self.conversation = conversation
    }

    /// The spend one budget is measured against.
    public func of(_ kind: BudgetKind) -> Double {
        switch kind {
        case .daily: today
        case .monthly: month
        case .perConversation: conversation
        }
    }
}

/// One person's own limits (ADR 0018), beside the appliance's `[budget]`, which binds everyone.
public struct PersonalBudget: Sendable, Equatable {
    /// The account whose spend counts: the owner of the conversations.
    public var ownerID: String
    public var dailyUSD: Double?
    public var monthlyUSD: Double?

    public init(ownerID: String, dailyUSD: Double?, monthlyUSD: Double?) {
        self.ownerID = ownerID
        self.dailyUSD = dailyUSD
        self.monthlyUSD = monthlyUSD
    }

    /// As ``BudgetLimits`` (no per-conversation part), for the shared arithmetic. A personal budget of 0 is a
    /// real limit (the person may spend nothing), unlike the appliance's, where 0 means none.
    func limits(warnRatio: Double) -> BudgetLimits {
        var limits = BudgetLimits(warnRatio: warnRatio)
        limits.dailyUSD = dailyUSD.map { max(0, $0) }
        limits.monthlyUSD = monthlyUSD.map { max(0, $0) }
        return limits
    }
}

/// A request refused because it could exceed a budget: which one, its limit, what was spent, what it could cost.
public struct BudgetExceeded: Error, Sendable, Equatable, CustomStringConvertible {
    public let budget: BudgetKind
    public let limitUSD: Double
    public let spentUSD: Double
    /// The request's worst case; nil when its model's prices are unknown (refused because the budget is used up).
    public let worstCaseUSD: Double?
    /// Whether it is the person's own budget rather than the appliance's.
    public var personal = false

    public init(budget: BudgetKind, limitUSD: Double, spentUSD: Double, worstCaseUSD: Double?, personal: Bool = false) {
        self.budget = budget
        self.limitUSD = limitUSD
        self.spentUSD = spentUSD
        self.worstCaseUSD = worstCaseUSD
        self.personal = personal
    }

    /// What is left of the budget, never negative.
    public var remainingUSD: Double { max(0, limitUSD - spentUSD) }

    /// `daily budget $5.00: $4.98 spent, $0.02 remains; this request could cost up to $0.05`.
    public var message: String {
        let head = "\(personal ? "your " : "")\(budget.phrase) \(USD.format(limitUSD)): \(USD.format(spentUSD)) spent, \(USD.format(remainingUSD)) remains"
        if let worst = worstCaseUSD, worst > 0 { return head + "; this request could cost up to \(USD.format(worst))" }
        return head + "; the budget is used up"
    }

    public var description: String { message }
}

/// The budget rules, as pure functions so their edges can be tested exactly.
public enum BudgetArithmetic {
    /// Amounts closer than this (a billionth of a dollar) are equal: sums of many small costs are not exact.
    public static let tolerance = 1e-9

    /// Whether a budget is used up: spend at or above the limit.
    public static func isExhausted(spent: Double, limit: Double) -> Bool {
        spent >= limit - tolerance
    }

    /// Whether spend is at or above the warning share of a budget.
    public static func isWarning(spent: Double, limit: Double?, ratio: Double) -> Bool {
        guard let limit else { return false }
        return spent >= limit * ratio - tolerance
    }

    /// The first budget (daily, monthly, per conversation) a request with this worst case could exceed, or nil
    /// when it fits in all of them.
    ///
    /// - A used-up budget refuses every request, free ones included.
    /// - Otherwise a known worst case must fit: `spent + worstCase ≤ limit` (exactly reaching the limit is allowed).
    /// - An unknown worst case (`nil`: the model's prices are unknown) passes a budget that is not used up.
    public static func check(worstCase: Double?, spend: Spend, limits: BudgetLimits) -> BudgetExceeded? {
        for kind in BudgetKind.allCases {
            guard let limit = limits.limit(kind) else { continue }
            let spent = spend.of(kind)
            let refused: Bool
            if isExhausted(spent: spent, limit: limit) {
                refused = true
            } else if let worstCase {
                refused = spent + max(0, worstCase) > limit + tolerance
            } else {
                refused = false
            }
            if refused { return BudgetExceeded(budget: kind, limitUSD: limit, spentUSD: spent, worstCaseUSD: worstCase) }
        }
        return nil
    }
}

/// Dollar amounts for messages: cents for amounts of a cent or more, two significant digits below a cent
/// (`$0.00042`), so a tiny worst case never reads as `$0.00`.
public enum USD {
    public static func format(_ amount: Double) -> String {
        guard amount.isFinite else { return "$?" }
        let sign = amount < 0 ? "-" : ""
        let value = abs(amount)
        if value == 0 { return "$0.00" }
        if value >= 0.01 - 0.000_000_5 {
            let cents = Int((value * 100).rounded())
            let fraction = cents % 100
            return "\(sign)$\(cents / 100).\(fraction < 10 ? "0" : "")\(fraction)"
        }
        var decimals = 2
        while decimals < 12, value * pow10(decimals) < 10 { decimals += 1 }
        let scaled = Int((value * pow10(decimals)).rounded())
        let digits = String(scaled)
        return "\(sign)$0." + String(repeating: "0", count: max(0, decimals - digits.count)) + digits
    }

    private static func pow10(_ n: Int) -> Double {
        var result = 1.0
        for _ in 0..<n { result *= 10 }
        return result
    }
}
