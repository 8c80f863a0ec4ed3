import NTConfig
import Synchronization
import Testing
@testable import WebWorker

/// Brute force against logins is slowed and then locked out, per client, with a clock the test moves by hand.
struct LoginThrottleTests {
    let start = ContinuousClock.now
    static let policy = LoginThrottleSettings(maxFailures: 5, lockout: .seconds(300))

    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int(seconds * 1000)) }

    func throttle(_ policy: LoginThrottleSettings = Self.policy, maxClients: Int = 10_000) -> LoginThrottle {
        LoginThrottle(maxClients: maxClients) { policy }
    }

    /// An attempt at `time` that is admitted and fails.
    func fail(_ throttle: LoginThrottle, _ client: String = "10.0.0.1", at time: Double) {
        #expect(throttle.admit(client: client, now: at(time)) == .allowed, "attempt at \(time) s")
        throttle.recordFailure(client: client, now: at(time))
    }

    @Test func aFirstAttemptIsAllowedAndASuccessLeavesNoTrace() {
        let throttle = throttle()
        #expect(throttle.admit(client: "10.0.0.1", now: at(0)) == .allowed)
        throttle.recordSuccess(client: "10.0.0.1")
        #expect(throttle.clientCount == 0)
        #expect(throttle.admit(client: "10.0.0.1", now: at(0)) == .allowed)
    }

    @Test func eachFailureDoublesTheWaitBeforeTheNextAttempt() {
        let throttle = throttle()
        fail(throttle, at: 0)
        #expect(throttle.admit(client: "10.0.0.1", now: at(0.25)) == .refused(retryAfter: .milliseconds(750), lockedOut: false))
        fail(throttle, at: 1)
        #expect(throttle.admit(client: "10.0.0.1", now: at(2.5)) == .refused(retryAfter: .milliseconds(500), lockedOut: false))
        fail(throttle, at: 3)
        #expect(throttle.admit(client: "10.0.0.1", now: at(6)) == .refused(retryAfter: .seconds(1), lockedOut: false))
        fail(throttle, at: 7)
        #expect(throttle.admit(client: "10.0.0.1", now: at(14)) == .refused(retryAfter: .seconds(1), lockedOut: false))
        #expect(throttle.admit(client: "10.0.0.1", now: at(15)) == .allowed)
    }

    @Test func theWaitIsCappedWhenLockoutIsOff() {
        let throttle = throttle(LoginThrottleSettings(maxFailures: 0, lockout: .seconds(300)))
        var time = 0.0
        for failures in 1...12 {
            fail(throttle, at: time)
            let expected = min(1 << (failures - 1), 60)
            #expect(throttle.admit(client: "10.0.0.1", now: at(time)) == .refused(retryAfter: .seconds(expected), lockedOut: false))
            time += Double(expected)
        }
    }

    @Test func maxFailuresLockTheClientOutAndOneMoreFailureAfterwardsLocksItAgain() {
        let throttle = throttle()
        for time in [0.0, 1, 3, 7] { fail(throttle, at: time) }
        fail(throttle, at: 15)  // the fifth consecutive failure
        #expect(throttle.admit(client: "10.0.0.1", now: at(15)) == .refused(retryAfter: .seconds(300), lockedOut: true))
        #expect(throttle.admit(client: "10.0.0.1", now: at(215)) == .refused(retryAfter: .seconds(100), lockedOut: true))
        // Another client is not affected.
        #expect(throttle.admit(client: "10.0.0.2", now: at(215)) == .allowed)

        // The lockout over, one attempt is allowed; it fails, and the lockout starts again at once.
        fail(throttle, at: 315)
        #expect(throttle.admit(client: "10.0.0.1", now: at(316)) == .refused(retryAfter: .seconds(299), lockedOut: true))
    }

    @Test func aSuccessResetsTheCount() {
        let throttle = throttle()
        for time in [0.0, 1, 3, 7] { fail(throttle, at: time) }
        #expect(throttle.admit(client: "10.0.0.1", now: at(15)) == .allowed)
        throttle.recordSuccess(client: "10.0.0.1")
        fail(throttle, at: 16)
        #expect(throttle.admit(client: "10.0.0.1", now: at(16)) == .refused(retryAfter: .seconds(1), lockedOut: false))
    }

    @Test func onlyOneAttemptPerClientIsInFlight() {
        let throttle = throttle()
        #expect(throttle.admit(client: "10.0.0.1", now: at(0)) == .allowed)
        #expect(throttle.admit(client: "10.0.0.1", now: at(0.1)) == .refused(retryAfter: .seconds(1), lockedOut: false))
        throttle.recordFailure(client: "10.0.0.1", now: at(0.2))
        #expect(throttle.admit(client: "10.0.0.1", now: at(1.2)) == .allowed)
        // An outcome never recorded stops blocking after the attempt timeout (10 s).
        #expect(throttle.admit(client: "10.0.0.1", now: at(5)) != .allowed)
        #expect(throttle.admit(client: "10.0.0.1", now: at(11.2)) == .allowed)
    }

    @Test func parallelGuessesGetOneAttempt() async {
        let throttle = throttle()
        let now = at(0)
        let allowed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<100 { group.addTask { throttle.admit(client: "10.0.0.9", now: now) == .allowed } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(allowed == 1)
    }

    @Test func bruteForceGetsFewGuessesInADay() {
        let throttle = throttle()
        var guesses = 0
        var time = 0.0
        while time < 86_400 {
            if throttle.admit(client: "203.0.113.7", now: at(time)) == .allowed {
                guesses += 1
                throttle.recordFailure(client: "203.0.113.7", now: at(time))
            }
            time += 0.5
        }
        // Five before the first lockout, then one per lockout period.
        #expect(guesses <= 5 + 86_400 / 300)
        #expect(guesses >= 5)
    }

    @Test func aQuietClientIsForgotten() {
        let throttle = throttle()
        for time in [0.0, 1, 3, 7, 15] { fail(throttle, at: time) }
        // forgetAfter is an hour (more than the lockout): then the count starts again.
        fail(throttle, at: 15 + 3600)
        #expect(throttle.admit(client: "10.0.0.1", now: at(3616)) == .allowed)
    }

    @Test func aReloadedPolicyAppliesToClientsAlreadyWaiting() {
        let policy = Mutex(Self.policy)
        let throttle = LoginThrottle { policy.withLock { $0 } }
        for time in [0.0, 1, 3, 7, 15] { fail(throttle, at: time) }
        #expect(throttle.admit(client: "10.0.0.1", now: at(75)) == .refused(retryAfter: .seconds(240), lockedOut: true))
        policy.withLock { $0.lockout = .seconds(60) }
        #expect(throttle.admit(client: "10.0.0.1", now: at(75)) == .allowed)
    }

    @Test func memoryIsBounded() {
        let throttle = throttle(maxClients: 100)
        for client in 0..<5_000 {
            fail(throttle, "198.51.100.\(client)", at: Double(client) / 100)
            #expect(throttle.clientCount <= 100)
        }
        // The most recent clients are still remembered.
        #expect(throttle.admit(client: "198.51.100.4999", now: at(50)) != .allowed)
    }

    @Test func theConfigurationMapsToThePolicy() {
        var config = AppConfig()
        config.limits.loginMaxFailures = 3
        config.limits.loginLockoutSeconds = 2.5
        let settings = LoginThrottleSettings(config)
        #expect(settings.maxFailures == 3)
        #expect(settings.lockout == .milliseconds(2500))
        #expect(settings.baseDelay == .seconds(1))
    }
}
