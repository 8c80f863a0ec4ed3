import Foundation
import Logging
import NTChat
import Testing

/// Which circuit counts what: a model's failures refuse that model only, an unreachable upstream refuses every
/// model, and a request the upstream refused (400, 402, 403, …) counts nowhere.
struct CircuitBreakerScopeTests {
    let clock = ManualClock()

    func breaker(threshold: Int = 3) -> CircuitBreaker {
        CircuitBreaker(settings: { BreakerSettings(failureThreshold: threshold, failureRatio: 0.5, windowSeconds: 60, minRequests: 10, openSeconds: 30) },
                       clock: clock.breakerClock, logger: Logger(label: "test"))
    }

    func attempt(_ breaker: CircuitBreaker, _ model: String, _ outcome: BreakerOutcome) throws {
        breaker.record(try breaker.acquire(model: model).get(), outcome)
    }

    func refusal(_ breaker: CircuitBreaker, _ model: String) -> CircuitOpen? {
        if case .failure(let open) = breaker.acquire(model: model) { return open }
        return nil
    }

    @Test func aFailingModelIsRefusedAloneWhileOtherModelsPass() throws {
        let breaker = breaker()
        for _ in 0..<3 { try attempt(breaker, "fake/http-500", .failure) }
        let open = try #require(refusal(breaker, "fake/http-500"))
        #expect(open.model == "fake/http-500")
        #expect(open.retryAfterHeaderSeconds == 30)
        #expect(open.message.hasPrefix("the model fake/http-500 is failing; its circuit breaker retries at 2026-11-30T"))
        #expect(open.message.hasSuffix("(in 30 s); other models can be used"))
        try attempt(breaker, "fake/lorem", .success)
        #expect(breaker.snapshot.state == .closed, "the upstream answered every time")
        #expect(breaker.snapshot.models == [ModelBreakerSnapshot(model: "fake/http-500", state: .open,
                                                                  retryAtEpochSeconds: open.retryAtEpochSeconds, consecutiveFailures: 3)])
    }

    @Test func requestsTheUpstreamRefusedOpenNothing() throws {
        let breaker = breaker(threshold: 1)
        for model in ["fake/http-400", "fake/http-402", "fake/http-403"] {
            for _ in 0..<20 { try attempt(breaker, model, .rejected) }
        }
        #expect(breaker.snapshot == .closed)
        // A refusal neither counts nor resets a model's failures.
        let counting = self.breaker(threshold: 3)
        try attempt(counting, "m", .failure)
        try attempt(counting, "m", .rejected)
        try attempt(counting, "m", .failure)
        try attempt(counting, "m", .failure)
        #expect(refusal(counting, "m") != nil)
    }

    @Test func anUnreachableUpstreamRefusesEveryModel() throws {
        let breaker = breaker()
        for _ in 0..<3 { try attempt(breaker, "fake/lorem", .unreachable) }
        let open = try #require(refusal(breaker, "another/model"))
        #expect(open.model == nil)
        #expect(open.message.hasPrefix("the upstream is failing; the circuit breaker retries at "))
        #expect(breaker.snapshot.state == .open)
        #expect(breaker.snapshot.models.isEmpty, "no model failed")
    }

    @Test func anyHTTPAnswerClosesTheUpstreamsProbeEvenAModelsFailure() throws {
        let breaker = breaker()
        for _ in 0..<3 { try attempt(breaker, "a", .unreachable) }
        clock.advance(by: 30)
        let probe = try breaker.acquire(model: "b").get()
        #expect(probe.isProbe)
        breaker.record(probe, .failure)
        #expect(breaker.snapshot.state == .closed)
        #expect(breaker.snapshot.models.first { $0.model == "b" }?.consecutiveFailures == 1)
    }

    @Test func aModelThatRefusesGivesTheUpstreamsProbeToTheNextRequest() throws {
        let breaker = breaker()
        for _ in 0..<3 { try attempt(breaker, "bad", .failure) }
        clock.advance(by: 31)
        let heldProbe = try breaker.acquire(model: "bad").get()  // bad's probe, still on its way
        #expect(heldProbe.isProbe)
        for _ in 0..<3 { try attempt(breaker, "good", .unreachable) }
        clock.advance(by: 30)
        #expect(refusal(breaker, "bad")?.model == "bad", "the model's probe is still on its way")
        #expect(breaker.snapshot.state == .halfOpen)
        let next = try breaker.acquire(model: "good").get()
        #expect(next.isProbe, "the upstream's probe slot was given back")
        breaker.record(next, .success)
        #expect(breaker.snapshot.state == .closed)
    }

    @Test func aRetryNeedsBothCircuitsClosed() throws {
        let breaker = breaker()
        try attempt(breaker, "bad", .failure)
        #expect(breaker.acquireRetry(model: "bad") != nil)
        try attempt(breaker, "bad", .failure)
        try attempt(breaker, "bad", .failure)
        #expect(breaker.acquireRetry(model: "bad") == nil)
        #expect(breaker.acquireRetry(model: "good") != nil)
        for _ in 0..<3 { try attempt(breaker, "good", .unreachable) }
        #expect(breaker.acquireRetry(model: "good") == nil)
    }

    @Test func theModelTableIsBoundedAndForgetsClosedCircuitsFirst() throws {
        let breaker = breaker(threshold: 1)
        let stale = try breaker.acquire(model: "m0").get()
        try attempt(breaker, "broken", .failure)
        for i in 1...(CircuitBreaker.maxTrackedModels + 50) {
            clock.advance(by: 0.01)
            try attempt(breaker, "m\(i)", .success)
        }
        #expect(breaker.trackedModels == CircuitBreaker.maxTrackedModels)
        #expect(breaker.snapshot.models.map(\.model) == ["broken"], "an open circuit outlives closed ones")
        // m0's circuit was forgotten: a permit of its former life does not move the new one.
        _ = try breaker.acquire(model: "m0").get()
        breaker.record(stale, .failure)
        #expect(refusal(breaker, "m0") == nil)
    }

    @Test func theSnapshotIsEncodedWithEveryModelThatHasSomethingToSay() throws {
        let breaker = breaker()
        for _ in 0..<3 { try attempt(breaker, "bad", .failure) }
        try attempt(breaker, "flaky", .failure)
        try attempt(breaker, "fine", .success)
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(breaker.snapshot)) as? [String: Any])
        #expect(json["state"] as? String == "closed" && json["retry_at"] is NSNull && json["consecutive_failures"] as? Int == 0)
        let models = json["models"] as? [[String: Any]] ?? []
        #expect(models.map { $0["model"] as? String } == ["bad", "flaky"])
        #expect(models.first?["state"] as? String == "open")
        #expect((models.first?["retry_at"] as? String)?.hasSuffix("Z") == true)
        #expect(models.last?["state"] as? String == "closed" && models.last?["consecutive_failures"] as? Int == 1)
    }
}
