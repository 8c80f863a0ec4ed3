import NTChat
import NTOpenRouter
import Testing

/// Trimming the history to the context window: oldest first, system prompt kept, exact fits kept whole.
struct ContextWindowTests {
    /// A message of exactly `tokens` estimated tokens (text tokens + the per-message overhead): the tag, then
    /// one-letter words until the estimate reaches `tokens` (each adds less than a token, so it lands exactly).
    func message(_ role: ChatMessage.Role, _ tokens: Int, _ tag: String = "") -> ChatMessage {
        var m = ChatMessage(role: role, content: tag)
        while TokenEstimate.tokens(in: m) < tokens { m.content += " x" }
        precondition(TokenEstimate.tokens(in: m) == tokens)
        return m
    }

    @Test func anExactFitKeepsEverything() {
        let system = message(.system, 10)
        let history = [message(.user, 20), message(.assistant, 30), message(.user, 40)]
        let fitted = ContextWindow.fit(system: system, history: history, contextLength: 1_100, maxTokens: 1_000)
        #expect(fitted.trimmed == 0)
        #expect(fitted.messages == [system] + history)
        #expect(fitted.promptTokens == 100)
    }

    @Test func oneTokenTooManyDropsTheOldestTurnAndKeepsTheSystemPrompt() {
        let system = message(.system, 10)
        let history = [message(.user, 20, "a"), message(.assistant, 30, "b"), message(.user, 40, "c")]
        let fitted = ContextWindow.fit(system: system, history: history, contextLength: 1_099, maxTokens: 1_000)
        // Dropping the first user message would leave the history starting with an answer: that goes too.
        #expect(fitted.trimmed == 2)
        #expect(fitted.messages == [system, history[2]])
        #expect(fitted.promptTokens == 50)
    }

    @Test func oldestMessagesGoFirstUntilTheRestFits() {
        let history = (0..<10).map { message($0 % 2 == 0 ? .user : .assistant, 100, "m\($0)") }
        let fitted = ContextWindow.fit(system: nil, history: history, contextLength: 4_450, maxTokens: 4_000)
        #expect(fitted.trimmed == 6)
        #expect(Array(fitted.messages) == Array(history[6...]))
        #expect(fitted.messages.first?.role == .user)
    }

    @Test func theNewestMessageAndTheSystemPromptStayEvenWhenTheyDoNotFit() {
        let system = message(.system, 500)
        let history = [message(.user, 100), message(.assistant, 100), message(.user, 800)]
        let fitted = ContextWindow.fit(system: system, history: history, contextLength: 1_000, maxTokens: 500)
        #expect(fitted.messages == [system, history[2]])
        #expect(fitted.trimmed == 2)
    }

    @Test func anUnknownContextLengthKeepsEverything() {
        let history = (0..<50).map { message(.user, 1_000, "\($0)") }
        let fitted = ContextWindow.fit(system: nil, history: history, contextLength: nil, maxTokens: 4_096)
        #expect(fitted.trimmed == 0)
        #expect(fitted.messages.count == 50)
    }
}

/// The retry backoff: exponential, jittered, capped, honouring Retry-After.
struct RetryPolicyTests {
    let policy = RetryPolicy(maxRetries: 3, baseDelay: .milliseconds(100), maxDelay: .milliseconds(1_000))

    @Test func theBackoffDoublesWithJitterUpToTheCap() {
        for _ in 0..<200 {
            let first = policy.delay(beforeRetry: 0, after: upstream503WithoutRetryAfter)!
            #expect(first >= .milliseconds(50) && first <= .milliseconds(100))
            let third = policy.delay(beforeRetry: 2, after: upstream503WithoutRetryAfter)!
            #expect(third >= .milliseconds(200) && third <= .milliseconds(400))
        }
        let capped = RetryPolicy(maxRetries: 10, baseDelay: .milliseconds(100), maxDelay: .milliseconds(1_000))
        #expect(capped.delay(beforeRetry: 9, after: upstream503WithoutRetryAfter)! <= .milliseconds(1_000))
    }

    @Test func noRetryAfterTheLastAttemptOrForAFailureThatIsNotRetryable() {
        #expect(policy.delay(beforeRetry: 3, after: upstream503WithoutRetryAfter) == nil)
        let badRequest = UpstreamFailure(code: "upstream_400", message: "bad", httpStatus: 400, retryable: false)
        #expect(policy.delay(beforeRetry: 0, after: badRequest) == nil)
        #expect(RetryPolicy.none.delay(beforeRetry: 0, after: upstream503WithoutRetryAfter) == nil)
    }

    @Test func retryAfterOf429And503IsWaitedForUnlessItIsLongerThanTheCap() {
        var limited = UpstreamFailure(code: "upstream_429", message: "slow down", httpStatus: 429, retryable: true, retryAfterSeconds: 0.8)
        #expect(policy.delay(beforeRetry: 0, after: limited)! >= .milliseconds(800))
        limited.retryAfterSeconds = 1.5
        #expect(policy.delay(beforeRetry: 0, after: limited) == nil, "more than max_delay: the client hears at once")
        let other = UpstreamFailure(code: "upstream_502", message: "down", httpStatus: 502, retryable: true, retryAfterSeconds: 30)
        #expect(policy.delay(beforeRetry: 0, after: other)! <= .milliseconds(100), "Retry-After is read for 429 and 503 only")
    }

    var upstream503WithoutRetryAfter: UpstreamFailure { upstream503 }
}
