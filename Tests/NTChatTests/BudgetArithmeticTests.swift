import NTChat
import NTOpenRouter
import Testing

/// The budget rules at their edges: exactly at the limit, free models, unknown prices, used-up budgets.
struct BudgetArithmeticTests {
    let daily5 = BudgetLimits(dailyUSD: 5)

    @Test func aRequestThatExactlyReachesTheLimitPasses() {
        #expect(BudgetArithmetic.check(worstCase: 0.02, spend: Spend(today: 4.98), limits: daily5) == nil)
        #expect(BudgetArithmetic.check(worstCase: 5, spend: Spend(), limits: daily5) == nil)
    }

    @Test func aRequestThatCouldGoOneCentOverIsRefusedNamingTheBudget() throws {
        let refused = try #require(BudgetArithmetic.check(worstCase: 0.05, spend: Spend(today: 4.98), limits: daily5))
        #expect(refused.budget == .daily)
        #expect(refused.limitUSD == 5)
        #expect(abs(refused.remainingUSD - 0.02) < 1e-12)
        #expect(refused.message == "daily budget $5.00: $4.98 spent, $0.02 remains; this request could cost up to $0.05")
    }

    @Test func floatingPointNoiseAtTheLimitDoesNotRefuse() {
        // 0.1 + 0.2 is 0.30000000000000004 in binary floating point.
        #expect(BudgetArithmetic.check(worstCase: 0.2, spend: Spend(today: 0.1), limits: BudgetLimits(dailyUSD: 0.3)) == nil)
        #expect(BudgetArithmetic.check(worstCase: 0.000_001, spend: Spend(today: 0.3), limits: BudgetLimits(dailyUSD: 0.3)) != nil)
    }

    @Test func aFreeModelPassesUnlessTheBudgetIsUsedUp() {
        #expect(BudgetArithmetic.check(worstCase: 0, spend: Spend(today: 4.999_999), limits: daily5) == nil)
        let exhausted = BudgetArithmetic.check(worstCase: 0, spend: Spend(today: 5), limits: daily5)
        #expect(exhausted?.budget == .daily)
        #expect(exhausted?.message == "daily budget $5.00: $5.00 spent, $0.00 remains; the budget is used up")
        #expect(BudgetArithmetic.check(worstCase: 0, spend: Spend(today: 7), limits: daily5) != nil, "overspent by an answer that cost more than estimated")
    }

    @Test func unknownPricesPassUntilTheBudgetIsUsedUp() {
        #expect(BudgetArithmetic.check(worstCase: nil, spend: Spend(today: 4.99), limits: daily5) == nil)
        let refused = BudgetArithmetic.check(worstCase: nil, spend: Spend(today: 5.0), limits: daily5)
        #expect(refused?.worstCaseUSD == nil)
        #expect(refused?.message.hasSuffix("the budget is used up") == true)
    }

    @Test func everyBudgetIsCheckedDailyFirst() {
        let limits = BudgetLimits(dailyUSD: 10, monthlyUSD: 20, perConversationUSD: 1)
        #expect(BudgetArithmetic.check(worstCase: 0.5, spend: Spend(today: 1, month: 19.6, conversation: 0.2), limits: limits)?.budget == .monthly)
        #expect(BudgetArithmetic.check(worstCase: 0.5, spend: Spend(today: 1, month: 2, conversation: 0.6), limits: limits)?.budget == .perConversation)
        #expect(BudgetArithmetic.check(worstCase: 0.5, spend: Spend(today: 9.6, month: 19.6, conversation: 0.6), limits: limits)?.budget == .daily)
        let perConversation = BudgetArithmetic.check(worstCase: 0.5, spend: Spend(conversation: 0.6), limits: limits)
        #expect(perConversation?.message.hasPrefix("per-conversation budget $1.00: $0.60 spent, $0.40 remains") == true)
    }

    @Test func zeroMeansNoBudget() {
        let none = BudgetLimits(dailyUSD: 0, monthlyUSD: 0, perConversationUSD: 0)
        #expect(none.dailyUSD == nil && none.monthlyUSD == nil && none.perConversationUSD == nil)
        #expect(BudgetArithmetic.check(worstCase: 1_000, spend: Spend(today: 1_000, month: 1_000, conversation: 1_000), limits: none) == nil)
    }

    @Test func theWarningStartsAtTheRatio() {
        #expect(!BudgetArithmetic.isWarning(spent: 3.99, limit: 5, ratio: 0.8))
        #expect(BudgetArithmetic.isWarning(spent: 4, limit: 5, ratio: 0.8))
        #expect(BudgetArithmetic.isWarning(spent: 5, limit: 5, ratio: 1))
        #expect(!BudgetArithmetic.isWarning(spent: 100, limit: nil, ratio: 0.8))
    }

    @Test func theWorstCaseIsPromptEstimateTimesPromptPricePlusMaxTokensTimesCompletionPrice() {
        let model = ModelInfo(id: "m", name: "m", promptPrice: 0.000_001, completionPrice: 0.000_002)
        #expect(model.worstCaseCost(promptTokens: 1_000, maxTokens: 500) == 0.001 + 0.001)
        #expect(ModelInfo(id: "free", name: "free", promptPrice: 0, completionPrice: 0).worstCaseCost(promptTokens: 10, maxTokens: 10) == 0)
        #expect(ModelInfo(id: "auto", name: "auto").worstCaseCost(promptTokens: 10, maxTokens: 10) == nil)
    }

    @Test func amountsReadAsDollarsAndCentsOrTwoSignificantDigitsBelowACent() {
        #expect(USD.format(5) == "$5.00")
        #expect(USD.format(4.98) == "$4.98")
        #expect(USD.format(0.02) == "$0.02")
        #expect(USD.format(0) == "$0.00")
        #expect(USD.format(1234.5) == "$1234.50")
        #expect(USD.format(0.000_42) == "$0.00042")
        #expect(USD.format(0.004) == "$0.0040")
        #expect(USD.format(0.009_999_9) == "$0.01")
    }
}
