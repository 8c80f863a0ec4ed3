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
        /// In a person's report: what the appliance's budget for the period still allows everyone (it binds this
        /// person too, so what remains for them is never more).
        let applianceRemainingUSD: Double?

        public var remainingUSD: Double? {
            let own = budgetUSD.map { max(0, $0 - spendUSD) }
            guard let shared = applianceRemainingUSD else { return own }
            return min(own ?? shared, shared)
        }

        init(labelKey: String, label: String, spendUSD: Double, estimatedUSD: Double, budgetUSD: Double?, warnRatio: Double,
             applianceRemainingUSD: Double? = nil) {
            self.labelKey = labelKey
            self.label = label
            self.spendUSD = Self.rounded(spendUSD)
            self.estimatedUSD = Self.rounded(max(0, estimatedUSD))
            self.budgetUSD = budgetUSD
            self.applianceRemainingUSD = applianceRemainingUSD
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
    /// `person`: the asker's own spend against their own budgets; `appliance`: everyone's against `[budget]`.
    public let scope: String
    /// In the appliance's report (admins): each account's spend today and this month, by account id (the web
    /// worker names them).
    public var byUser: [(ownerID: String, spend: Spend)]?

    enum CodingKeys: String, CodingKey {
        case scope
        case byUser = "by_user"
        case today, month
        case perConversationBudgetUSD = "per_conversation_budget_usd"
        case warnRatio = "warn_ratio"
        case circuitBreaker = "circuit_breaker"
        case byModel = "by_model"
        case byDay = "by_day"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(scope, forKey: .scope)
        if let byUser {
            try c.encode(byUser.map { UserRow(user: $0.ownerID, today: Period.rounded($0.spend.today), month: Period.rounded($0.spend.month)) }, forKey: .byUser)
        }
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

    struct UserRow: Encodable {
        let user: String
        let today: Double
        let month: Double

        enum CodingKeys: String, CodingKey {
            case user
            case today = "today_usd"
            case month = "month_usd"
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
    /// 30 days (UTC), with the breaker's state. With `person`, the asker's own spend against their own budgets
    /// (nobody else's rows count); without, the appliance's, with each account's totals. Also refreshes the spend
    /// gauges.
    public func report(breaker: BreakerSnapshot, person: PersonalBudget? = nil) async throws -> SpendReport {
        let appliance = self.limits()
        var limits = appliance
        let day = today()
        let first = day.adding(days: -(Self.reportDays - 1))
        let end = day.adding(days: 1)
        let whole = try await store.spend(day: day, conversationID: nil)
        publish(whole, limits: limits)
        let spend: Spend, perDay: [UTCDay: Double], perModel: [ModelSpend]
        var byUser: [(ownerID: String, spend: Spend)]?
        if let person {
            spend = try await store.spend(day: day, ownerID: person.ownerID)
            perDay = try await store.spendByDay(from: first, to: end, ownerID: person.ownerID)
            perModel = try await store.spendByModel(from: first, to: end, ownerID: person.ownerID)
            // The person's own budget when they have one; else the appliance's shows, which is what binds them.
            let own = person.limits(warnRatio: limits.warnRatio)
            limits.dailyUSD = own.dailyUSD ?? appliance.dailyUSD
            limits.monthlyUSD = own.monthlyUSD ?? appliance.monthlyUSD
        } else {
            spend = whole
            perDay = try await store.spendByDay(from: first, to: end)
            perModel = try await store.spendByModel(from: first, to: end)
            byUser = try await store.spendByOwner(day: day)
        }
        return SpendReport(
            today: .init(labelKey: "date", label: day.description, spendUSD: spend.today, estimatedUSD: spend.estimatedToday,
                         budgetUSD: limits.dailyUSD, warnRatio: limits.warnRatio,
                         applianceRemainingUSD: person == nil ? nil : appliance.dailyUSD.map { max(0, $0 - whole.today) }),
            month: .init(labelKey: "month", label: day.monthString, spendUSD: spend.month, estimatedUSD: spend.estimatedMonth,
                         budgetUSD: limits.monthlyUSD, warnRatio: limits.warnRatio,
                         applianceRemainingUSD: person == nil ? nil : appliance.monthlyUSD.map { max(0, $0 - whole.month) }),
            perConversationBudgetUSD: limits.perConversationUSD,
            warnRatio: limits.warnRatio,
            circuitBreaker: breaker,
            byModel: perModel,
            byDay: (0..<Self.reportDays).map { offset in
                let d = first.adding(days: offset)
                return (d, perDay[d] ?? 0)
            },
            scope: person == nil ? "appliance" : "person",
            byUser: byUser
        )
    }
}
