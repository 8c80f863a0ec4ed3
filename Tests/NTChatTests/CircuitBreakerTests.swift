import Logging
import NTChat
import Testing

/// One circuit's state machine, the upstream's (failures here are `.unreachable`: no HTTP answer), with a clock the
/// test moves by hand. Which circuit counts what: CircuitBreakerScopeTests.
struct CircuitBreakerTests {
    let clock = ManualClock()

    func breaker(_ settings: BreakerSettings = BreakerSettings(failureThreshold: 3, failureRatio: 0.5, windowSeconds: 60, minRequests: 10, openSeconds: 30)) -> CircuitBreaker {
        CircuitBreaker(settings: { settings }, clock: clock.breakerClock, logger: Logger(label: "test"))
    }

    func attempt(_ breaker: CircuitBreaker, _ outcome: BreakerOutcome) throws {
        let permit = try breaker.acquire(model: "m").get()
        breaker.record(permit, outcome)
    }

    @Test func consecutiveFailuresOpenItAndItRefusesSayingWhenItRetries() throws {
        let breaker = breaker()
        try attempt(breaker, .unreachable)
        try attempt(breaker, .unreachable)
        #expect(breaker.snapshot.state == .closed)
        #expect(breaker.snapshot.consecutiveFailures == 2)
        try attempt(breaker, .unreachable)
        #expect(breaker.snapshot.state == .open)

        clock.advance(by: 10)
        guard case .failure(let open) = breaker.acquire(model: "m") else { Issue.record("an open breaker let a request through"); return }
        #expect(open.retryInSeconds == 20)
        #expect(open.retryAfterHeaderSeconds == 20)
        #expect(open.retryAtEpochSeconds == clock.breakerClock.wallNow() + 20)
        #expect(open.message.hasPrefix("the upstream is failing; the circuit breaker retries at 2026-11-30T"))
        #expect(open.message.hasSuffix("(in 20 s)"))
        #expect(breaker.snapshot.retryAtEpochSeconds == open.retryAtEpochSeconds)
    }

    @Test func aSuccessResetsTheConsecutiveCount() throws {
        let breaker = breaker(BreakerSettings(failureThreshold: 3, failureRatio: 0.5, windowSeconds: 60, minRequests: 1_000, openSeconds: 30))
        for _ in 0..<5 {
            try attempt(breaker, .unreachable)
            try attempt(breaker, .unreachable)
            try attempt(breaker, .success)
        }
        #expect(breaker.snapshot.state == .closed)
        #expect(breaker.snapshot.consecutiveFailures == 0)
    }

    @Test func theFailureRatioOpensItOnlyOnceMinRequestsWereSeenInTheWindow() throws {
        let breaker = breaker(BreakerSettings(failureThreshold: 100, failureRatio: 0.5, windowSeconds: 60, minRequests: 10, openSeconds: 30))
        for _ in 0..<4 {
            try attempt(breaker, .unreachable)
            try attempt(breaker, .success)
        }
        #expect(breaker.snapshot.state == .closed, "8 attempts are fewer than min_requests")
        try attempt(breaker, .success)
        try attempt(breaker, .unreachable)
        #expect(breaker.snapshot.state == .open, "5 of 10 failed: the ratio 0.5 is reached")
    }

    @Test func failuresOutsideTheWindowAreForgotten() throws {
        let breaker = breaker(BreakerSettings(failureThreshold: 100, failureRatio: 0.5, windowSeconds: 60, minRequests: 4, openSeconds: 30))
        try attempt(breaker, .unreachable)
        try attempt(breaker, .unreachable)
        try attempt(breaker, .success)
        clock.advance(by: 61)
        try attempt(breaker, .success)
        try attempt(breaker, .success)
        try attempt(breaker, .success)
        try attempt(breaker, .unreachable)
        #expect(breaker.snapshot.state == .closed, "1 of 4 in the window failed")
    }

    @Test func afterTheOpenPeriodExactlyOneProbePassesAndItsSuccessCloses() throws {
        let breaker = breaker()
        for _ in 0..<3 { try attempt(breaker, .unreachable) }
        clock.advance(by: 30)
        let probe = try breaker.acquire(model: "m").get()
        #expect(probe.isProbe)
        #expect(breaker.snapshot.state == .halfOpen)
        guard case .failure = breaker.acquire(model: "m") else { Issue.record("a second request passed while the probe runs"); return }
        breaker.record(probe, .success)
        #expect(breaker.snapshot.state == .closed)
        #expect(breaker.snapshot.consecutiveFailures == 0)
        #expect(try breaker.acquire(model: "m").get().isProbe == false)
    }

    @Test func aFailedProbeOpensItAgainForAnotherPeriod() throws {
        let breaker = breaker()
        for _ in 0..<3 { try attempt(breaker, .unreachable) }
        clock.advance(by: 31)
        let probe = try breaker.acquire(model: "m").get()
        breaker.record(probe, .unreachable)
        #expect(breaker.snapshot.state == .open)
        clock.advance(by: 29)
        guard case .failure = breaker.acquire(model: "m") else { Issue.record("reopened breaker let a request through"); return }
        clock.advance(by: 1)
        #expect(try breaker.acquire(model: "m").get().isProbe)
    }

    @Test func aProbeThatSaysNothingFreesTheSlotForTheNextRequest() throws {
        let breaker = breaker()
        for _ in 0..<3 { try attempt(breaker, .unreachable) }
        clock.advance(by: 30)
        let probe = try breaker.acquire(model: "m").get()
        breaker.record(probe, .ignored)
        #expect(breaker.snapshot.state == .halfOpen)
        let next = try breaker.acquire(model: "m").get()
        #expect(next.isProbe)
        breaker.record(next, .success)
        #expect(breaker.snapshot.state == .closed)
    }

    @Test func lateOutcomesOfAttemptsStartedBeforeATransitionDoNotMoveIt() throws {
        let breaker = breaker()
        let slow = try breaker.acquire(model: "m").get()
        for _ in 0..<3 { try attempt(breaker, .unreachable) }
        #expect(breaker.snapshot.state == .open)
        breaker.record(slow, .success)
        #expect(breaker.snapshot.state == .open, "only the probe closes an open breaker")
    }

    @Test func eachFailureCountsWhereItsCauseLies() {
        func failure(_ status: Int?, _ code: String = "x") -> UpstreamFailure {
            UpstreamFailure(code: code, message: "m", httpStatus: status, retryable: true)
        }
        for status in [500, 502, 503, 504, 524, 529, 408, 429] { #expect(CircuitBreaker.outcome(of: failure(status)) == .failure, "\(status)") }
        for status in [400, 401, 402, 403, 404, 413, 422] { #expect(CircuitBreaker.outcome(of: failure(status)) == .rejected, "\(status)") }
        for status in [0, -1, 301, 302] { #expect(CircuitBreaker.outcome(of: failure(status)) == .unreachable, "\(status)") }
        for code in ["connect", "timeout_connect", "timeout_first_byte", "transport", "tls"] {
            #expect(CircuitBreaker.outcome(of: failure(nil, code)) == .unreachable, "\(code)")
        }
        for code in ["timeout_idle", "timeout_total", "stream_cut", "upstream_malformed", "upstream_server_error"] {
            #expect(CircuitBreaker.outcome(of: failure(nil, code)) == .failure, "\(code)")
        }
        for code in ["no_api_key", "invalid_request", "cancelled"] { #expect(CircuitBreaker.outcome(of: failure(nil, code)) == .ignored, "\(code)") }
    }

    @Test func ignoredOutcomesNeitherCountNorReset() throws {
        let breaker = breaker()
        try attempt(breaker, .unreachable)
        try attempt(breaker, .unreachable)
        try attempt(breaker, .ignored)
        #expect(breaker.snapshot.consecutiveFailures == 2)
        try attempt(breaker, .unreachable)
        #expect(breaker.snapshot.state == .open)
    }
}
