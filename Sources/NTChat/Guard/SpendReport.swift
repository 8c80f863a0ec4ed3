import NTSystem


/// The body of `GET /api/usage`: today's and this month's spend against their budgets, the breaker, and spend
/// per model and per day over the last 30 days. Every key is always present; a null budget means none is set.
public struct SpendReport: Sendable, Encodable {
    /// One budget period: what was spent, the budget (nil: none), what remains, and whether the warning share is reached.
    public struct Period: Sendable, Encodable {
        public let label: String
        public let spendUSD: Double
        public let budgetUSD: Double?
        public let warn: Bool
        /// The part of `spendUSD` that is estimated (answers the upstream sent no cost for, not yet reconciled).
        public let estimatedUSD: Double
        let labelKey: String

        public var remainingUSD: Double? { budgetUSD.map { max(0, $0 - spendUSD) } }

        init(labelKey: String, label: String, spendUSD: Double, estimatedUSD: Double, budgetUSD: Double?, warnRatio: Double) {
            self.labelKey = labelKey
            self.label = label
            self.spendUSD = Self.rounded(spendUSD)
            self.estimatedUSD = Self.rounded(max(0, estimatedUSD))
            self.budgetUSD = budgetUSD
            self.warn = BudgetArithmetic.isWarning(spent: spendUSD, limit: budgetUSD, ratio: warnRatio)
        }

        /// Sums of many floating-point costs carry noise in the last digits; 1e-12 USD is far below any price.
        static func rounded(_ value: Double) -> Double { (value * 1e12).rounded() / 1e12 }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: DynamicKey.self)
            try c.encode(label, forKey: DynamicKey(labelKey))
            try c.encode(spendUSD, forKey: DynamicKey("spend_usd"))
            try c.encode(estimatedUSD, forKey: DynamicKey("estimated_usd"))
            try c.encode(budgetUSD, forKey: DynamicKey("budget_usd"))
            try c.encode(remainingUSD.map(Self.rounded), forKey: DynamicKey("remaining_usd"))
            try c.encode(warn, forKey: DynamicKey("warn"))
        }
    }

    public let today: Period
    public let month: Period
    public let perConversationBudgetUSD: Double?
    public let warnRatio: Double
    /// The web worker's circuit breakers: the upstream's and the models' with something to report.
    public let circuitBreaker: BreakerSnapshot
    public let byModel: [ModelSpend]
    /// Oldest first, ending today, days without spend included.
    public let byDay: [(day: UTCDay, spendUSD: Double)]

    enum CodingKeys: String, CodingKey {
        case today, month
        case perConversationBudgetUSD = "per_conversation_budget_usd"
        case warnRatio = "warn_ratio"
        case circuitBreaker = "circuit_breaker"
        case byModel = "by_model"
        case byDay = "by_day"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(today, forKey: .today)
        try c.encode(month, forKey: .month)
        try c.encode(perConversationBudgetUSD, forKey: .perConversationBudgetUSD)
        try c.encode(warnRatio, forKey: .warnRatio)
        try c.encode(circuitBreaker, forKey: .circuitBreaker)
        try c.encode(byModel.map(ModelRow.init), forKey: .byModel)
        try c.encode(byDay.map { DayRow(date: $0.day.description, spendUSD: Period.rounded($0.spendUSD)) }, forKey: .byDay)
    }

    struct ModelRow: Encodable {
        let model: String
        let spendUSD: Double
        let messages: Int

        init(_ spend: ModelSpend) {
            model = spend.model
            spendUSD = Period.rounded(spend.spendUSD)
            messages = spend.messages
        }

        enum CodingKeys: String, CodingKey {
            case model, messages
            case spendUSD = "spend_usd"
        }
    }

    struct DayRow: Encodable {
        let date: String
        let spendUSD: Double

        enum CodingKeys: String, CodingKey {
            case date
            case spendUSD = "spend_usd"
        }
    }

    struct DynamicKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension BudgetGuard {
    /// How many days `by_day` covers, today included.
    public static let reportDays = 30

    /// The usage report: spend today and this month against the budgets, per model and per day over the last
    /// 30 days (UTC), with the breaker's state. Also refreshes the spend gauges.
    public func report(breaker: BreakerSnapshot) async throws -> SpendReport {
        let limits = self.limits()
        let day = today()
        let first = day.adding(days: -(Self.reportDays - 1))
        let end = day.adding(days: 1)
        let spend = try await store.spend(day: day, conversationID: nil)
        let perDay = try await store.spendByDay(from: first, to: end)
        let perModel = try await store.spendByModel(from: first, to: end)
        publish(spend, limits: limits)
        return SpendReport(
            today: .init(labelKey: "date", label: day.description, spendUSD: spend.today, estimatedUSD: spend.estimatedToday, budgetUSD: limits.dailyUSD, warnRatio: limits.warnRatio),
            month: .init(labelKey: "month", label: day.monthString, spendUSD: spend.month, estimatedUSD: spend.estimatedMonth, budgetUSD: limits.monthlyUSD, warnRatio: limits.warnRatio),
            perConversationBudgetUSD: limits.perConversationUSD,
            warnRatio: limits.warnRatio,
            circuitBreaker: breaker,
            byModel: perModel,
            byDay: (0..<Self.reportDays).map { offset in
                let d = first.adding(days: offset)
                return (d, perDay[d] ?? 0)
            }
        )
    }
}
