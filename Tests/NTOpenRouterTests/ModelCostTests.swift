import NTOpenRouter
import Testing

/// Price arithmetic: the worst case before a request, and the cost after it when the upstream sends none.
@Suite("Model cost")
struct ModelCostTests {
    static let model = ModelInfo(
        id: "m", name: "m", promptPrice: 0.000002, completionPrice: 0.00001, requestPrice: nil, cacheReadPrice: 0.0000005
    )

    @Test(
        "the worst case is every prompt token plus max tokens at list price",
        arguments: [(1000, 500, 0.007), (0, 0, 0), (1, 0, 0.000002), (0, 1, 0.00001), (-5, -5, 0), (1_000_000, 100_000, 3.0)]
    )
    func worstCase(prompt: Int, maxTokens: Int, expected: Double) throws {
        let cost = try #require(Self.model.worstCaseCost(promptTokens: prompt, maxTokens: maxTokens))
        #expect(abs(cost - expected) < 1e-12)
    }

    @Test("the worst case adds the request price, and is unknown without both token prices")
    func worstCaseEdges() {
        var model = Self.model
        model.requestPrice = 0.01
        #expect(model.worstCaseCost(promptTokens: 0, maxTokens: 0) == 0.01)
        model.completionPrice = nil
        #expect(model.worstCaseCost(promptTokens: 1, maxTokens: 1) == nil)
        #expect(ModelInfo(id: "x", name: "x", completionPrice: 1).worstCaseCost(promptTokens: 1, maxTokens: 1) == nil)
    }

    struct CostCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let usage: Usage
        let expected: Double
    }

    static let costCases: [CostCase] = [
        CostCase(testDescription: "plain prompt and completion", usage: Usage(promptTokens: 1000, completionTokens: 100, totalTokens: 1100), expected: 0.002 + 0.001),
        CostCase(testDescription: "cached prompt tokens at the cache-read price", usage: Usage(promptTokens: 1000, completionTokens: 0, totalTokens: 1000, cachedTokens: 400), expected: 600 * 0.000002 + 400 * 0.0000005),
        CostCase(
            testDescription: "reasoning tokens are inside completion tokens, not added again",
            usage: Usage(promptTokens: 0, completionTokens: 300, totalTokens: 300, reasoningTokens: 200), expected: 300 * 0.00001
        ),
        CostCase(
            testDescription: "reasoning beyond completion tokens was not counted in them, so it is added",
            usage: Usage(promptTokens: 0, completionTokens: 100, totalTokens: 100, reasoningTokens: 250), expected: 350 * 0.00001
        ),
        CostCase(testDescription: "more cached than prompt tokens is capped at the prompt", usage: Usage(promptTokens: 10, completionTokens: 0, totalTokens: 10, cachedTokens: 50), expected: 10 * 0.0000005),
        CostCase(testDescription: "zero usage costs nothing", usage: Usage(promptTokens: 0, completionTokens: 0, totalTokens: 0), expected: 0),
        CostCase(testDescription: "negative counts count as zero", usage: Usage(promptTokens: -1, completionTokens: -1, totalTokens: -2, cachedTokens: -3, reasoningTokens: -4), expected: 0),
        CostCase(testDescription: "the upstream's own cost is ignored: this is the list-price fallback", usage: Usage(promptTokens: 1000, completionTokens: 0, totalTokens: 1000, cost: 99), expected: 0.002),
    ]

    @Test("cost by list price", arguments: costCases)
    func costByListPrice(_ row: CostCase) throws {
        let cost = try #require(Self.model.cost(usage: row.usage))
        #expect(abs(cost - row.expected) < 1e-12)
    }

    @Test("cached tokens cost the prompt price when no cache price is known; unknown prices give nil")
    func costEdges() {
        var model = Self.model
        model.cacheReadPrice = nil
        model.requestPrice = 0.5
        let usage = Usage(promptTokens: 1000, completionTokens: 0, totalTokens: 1000, cachedTokens: 1000)
        #expect(model.cost(usage: usage) == 0.5 + 1000 * 0.000002)
        model.promptPrice = nil
        #expect(model.cost(usage: usage) == nil)
    }
}
