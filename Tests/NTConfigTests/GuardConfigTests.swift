import NTConfig
import Testing

/// `[budget]`, `[breaker]` and `[retry]`: defaults, ranges, and how a SIGHUP applies them.
struct GuardConfigTests {
    @Test func theDefaults() throws {
        let defaults = try config("")
        #expect(defaults.budget.dailyUSD == 0 && defaults.budget.monthlyUSD == 0 && defaults.budget.perConversationUSD == 0)
        #expect(defaults.budget.warnRatio == 0.8)
        #expect(defaults.budget.defaultMaxTokens == 4096)
        #expect(defaults.breaker.failureThreshold == 5)
        #expect(defaults.breaker.failureRatio == 0.5)
        #expect(defaults.breaker.windowSeconds == 60)
        #expect(defaults.breaker.minRequests == 10)
        #expect(defaults.breaker.openSeconds == 30)
        #expect(defaults.retry.maxAttempts == 2)
        #expect(defaults.retry.baseDelayMs == 250)
        #expect(defaults.retry.maxDelayMs == 5000)
    }

    @Test func valuesAreReadFromTheFileAndTheEnvironment() throws {
        let loaded = try config("""
            [budget]
            daily_usd = 5
            per_conversation_usd = 0.25
            warn_ratio = 1
            [breaker]
            open_seconds = 1
            """, environment: ["NEURAL_TERMINAL_BUDGET_MONTHLY_USD": "50", "NEURAL_TERMINAL_RETRY_MAX_ATTEMPTS": "0"])
        #expect(loaded.budget.dailyUSD == 5)
        #expect(loaded.budget.perConversationUSD == 0.25)
        #expect(loaded.budget.warnRatio == 1)
        #expect(loaded.budget.monthlyUSD == 50)
        #expect(loaded.breaker.openSeconds == 1)
        #expect(loaded.retry.maxAttempts == 0)
    }

    @Test func outOfRangeValuesAreRefusedWithTheirLine() {
        let errors = configErrors("""
            [budget]
            daily_usd = -1
            warn_ratio = 0
            default_max_tokens = 0
            [breaker]
            failure_ratio = 1.5
            open_seconds = 0
            [retry]
            max_attempts = 11
            """)
        #expect(errors.count == 6, "\(errors)")
        #expect(errors.contains { $0.contains(":2: 'budget.daily_usd' must be between 0 and 1000000 (got -1)") })
        #expect(errors.contains { $0.contains(":3: 'budget.warn_ratio' must be greater than 0 and at most 1 (got 0)") })
        #expect(errors.contains { $0.contains(":6: 'breaker.failure_ratio'") })
        #expect(errors.contains { $0.contains(":9: 'retry.max_attempts' must be between 0 and 10 (got 11)") })
    }

    @Test func everyGuardKeyAppliesInPlace() {
        for key in ConfigSchema.keyPaths where key.hasPrefix("budget.") || key.hasPrefix("breaker.") || key.hasPrefix("retry.") {
            #expect(ConfigSchema.reloadEffect(of: key) == .inPlace, "\(key)")
        }
        var changed = AppConfig()
        changed.budget.dailyUSD = 1
        changed.breaker.openSeconds = 5
        let plan = changed.reloadPlan(from: AppConfig())
        #expect(plan.changedKeys == ["budget.daily_usd", "breaker.open_seconds"])
        #expect(plan.workersToRestart.isEmpty)
    }

    @Test func theGuardKeysFollowTheUpstreamKeys() {
        let paths = ConfigSchema.keyPaths
        let lastUpstream = paths.lastIndex { $0.hasPrefix("upstream.") }!
        #expect(paths[lastUpstream + 1] == "budget.daily_usd")
        #expect(ConfigSchema.sections.firstIndex(of: "retry") == ConfigSchema.sections.firstIndex(of: "upstream")! + 3)
    }
}
