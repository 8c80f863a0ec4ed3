import NTChat
import NTConfig

// The cost guardian's and the breaker's settings, taken from the configuration at the point of use, so a
// SIGHUP changes budgets, breaker thresholds and retries for the next request without a restart.

extension BudgetLimits {
    /// `[budget]`; 0 means no such budget.
    init(_ config: AppConfig) {
        let b = config.budget
        self.init(dailyUSD: b.dailyUSD, monthlyUSD: b.monthlyUSD, perConversationUSD: b.perConversationUSD, warnRatio: b.warnRatio)
    }
}

extension BreakerSettings {
    /// `[breaker]`.
    init(_ config: AppConfig) {
        let b = config.breaker
        self.init(
            failureThreshold: b.failureThreshold, failureRatio: b.failureRatio, windowSeconds: b.windowSeconds,
            minRequests: b.minRequests, openSeconds: b.openSeconds
        )
    }
}

extension RetryPolicy {
    /// `[retry]`.
    init(_ config: AppConfig) {
        let r = config.retry
        self.init(maxRetries: r.maxAttempts, baseDelay: .milliseconds(r.baseDelayMs), maxDelay: .milliseconds(r.maxDelayMs))
    }
}

extension ChatSettings {
    /// What a turn reads from the configuration when it starts.
    init(_ config: AppConfig) {
        self.init(
            defaultModel: config.upstream.defaultModel, defaultMaxTokens: config.budget.defaultMaxTokens,
            retry: RetryPolicy(config)
        )
    }
}
