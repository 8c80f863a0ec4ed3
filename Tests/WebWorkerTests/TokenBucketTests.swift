import Testing
@testable import WebWorker

/// The token buckets behind the API and chat rate limits, driven by a clock the test moves by hand.
struct TokenBucketTests {
    let start = ContinuousClock.now
    let tenAMinute = RateLimit(perMinute: 10, burst: 3)

    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int(seconds * 1000)) }

    /// The wait of a refusal in seconds (nil when allowed), for comparisons that allow for rounding.
    static func wait(_ decision: RateDecision) -> Double? {
        guard case .refused(let wait) = decision else { return nil }
        return TokenBucketLimiter.seconds(wait)
    }

    static func about(_ decision: RateDecision, _ seconds: Double) -> Bool {
        wait(decision).map { abs($0 - seconds) < 1e-6 } ?? false
    }

    @Test func aBurstPassesThenRequestsAreRefusedUntilATokenRefills() {
        let limiter = TokenBucketLimiter()
        for _ in 0..<3 { #expect(limiter.take("ip:a", limit: tenAMinute, now: at(0)) == .allowed) }
        // 10 a minute: one token every 6 s.
        #expect(Self.about(limiter.take("ip:a", limit: tenAMinute, now: at(0)), 6))
        #expect(Self.about(limiter.take("ip:a", limit: tenAMinute, now: at(4.5)), 1.5))
        #expect(limiter.take("ip:a", limit: tenAMinute, now: at(6.01)) == .allowed)
        #expect(limiter.take("ip:a", limit: tenAMinute, now: at(6.01)) != .allowed)
    }

    @Test func refillingStopsAtTheBurst() {
        let limiter = TokenBucketLimiter()
        #expect(limiter.take("k", limit: tenAMinute, now: at(0)) == .allowed)
        // An hour idle refills three tokens, not six hundred.
        for _ in 0..<3 { #expect(limiter.take("k", limit: tenAMinute, now: at(3600)) == .allowed) }
        #expect(limiter.take("k", limit: tenAMinute, now: at(3600)) != .allowed)
    }

    @Test func keysHaveTheirOwnBuckets() {
        let limiter = TokenBucketLimiter()
        for _ in 0..<3 { _ = limiter.take("session:1", limit: tenAMinute, now: at(0)) }
        #expect(limiter.take("session:1", limit: tenAMinute, now: at(0)) != .allowed)
        #expect(limiter.take("session:2", limit: tenAMinute, now: at(0)) == .allowed)
        #expect(limiter.take("ip:127.0.0.1", limit: tenAMinute, now: at(0)) == .allowed)
    }

    @Test func zeroPerMinuteMeansNoLimitAndKeepsNoState() {
        let limiter = TokenBucketLimiter()
        for _ in 0..<10_000 { #expect(limiter.take("k", limit: RateLimit(perMinute: 0, burst: 1), now: at(0)) == .allowed) }
        #expect(limiter.keyCount == 0)
    }

    @Test func aChangedLimitStartsEveryBucketAfresh() {
        let limiter = TokenBucketLimiter()
        let tight = RateLimit(perMinute: 1, burst: 2)
        for _ in 0..<2 { _ = limiter.take("k", limit: tight, now: at(0)) }
        #expect(Self.about(limiter.take("k", limit: tight, now: at(0)), 60))
        // A SIGHUP raised the limit: the next request sees a full bucket of the new size.
        let raised = RateLimit(perMinute: 600, burst: 5)
        for _ in 0..<5 { #expect(limiter.take("k", limit: raised, now: at(1)) == .allowed) }
        #expect(Self.about(limiter.take("k", limit: raised, now: at(1)), 0.1))
    }

    @Test func retryAfterIsWholeSecondsRoundedUpAndAtLeastOne() {
        #expect(Duration.milliseconds(100).retryAfterSeconds == 1)
        #expect(Duration.zero.retryAfterSeconds == 1)
        #expect(Duration.seconds(6).retryAfterSeconds == 6)
        #expect(Duration.milliseconds(6_001).retryAfterSeconds == 7)
    }

    @Test func idleFullBucketsAreDroppedOnTheNextSweep() {
        let limiter = TokenBucketLimiter(sweepInterval: .seconds(60))
        for key in 0..<100 { _ = limiter.take("ip:\(key)", limit: tenAMinute, now: at(0)) }
        #expect(limiter.keyCount == 100)
        // At 30 s every bucket is full again (one token spent, 6 s to refill), but the sweep is not due yet.
        _ = limiter.take("ip:0", limit: tenAMinute, now: at(30))
        #expect(limiter.keyCount == 100)
        _ = limiter.take("busy", limit: tenAMinute, now: at(59))
        _ = limiter.take("busy", limit: tenAMinute, now: at(59))
        _ = limiter.take("ip:new", limit: tenAMinute, now: at(61))
        // Only buckets that are still short of tokens remain: "busy" and the one just taken from.
        #expect(limiter.keyCount == 2)
    }

    @Test func theNumberOfKeysIsCappedAndANewcomerIsNeverRefused() {
        let limiter = TokenBucketLimiter(maxKeys: 50)
        let slow = RateLimit(perMinute: 1, burst: 1)
        for key in 0..<1_000 {
            #expect(limiter.take("ip:\(key)", limit: slow, now: at(Double(key) / 1000)) == .allowed)
            #expect(limiter.keyCount <= 50)
        }
        // The newest keys are still held (and still limited); the oldest were let go.
        #expect(limiter.take("ip:999", limit: slow, now: at(1)) != .allowed)
    }

    @Test func concurrentCallersShareOneBucketExactly() async {
        let limiter = TokenBucketLimiter()
        let limit = RateLimit(perMinute: 60, burst: 25)
        let now = at(0)
        let allowed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<200 { group.addTask { limiter.take("shared", limit: limit, now: now) == .allowed } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(allowed == 25)
    }
}
