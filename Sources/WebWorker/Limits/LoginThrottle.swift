import Synchronization

/// The login throttle's policy, read from the configuration at the point of use (a SIGHUP applies at once,
/// to clients already waiting too: delays and lockouts are computed from the stored failures, not stored).
struct LoginThrottleSettings: Sendable, Equatable {
    /// Consecutive failures that lock a client out; 0 = never locked out (the growing delay still applies).
    var maxFailures: Int
    /// How long a lockout lasts, counted from the failure that caused it.
    var lockout: Duration
    /// The wait after the first failure; it doubles with each further failure.
    var baseDelay: Duration = .seconds(1)
    /// The longest wait between attempts short of a lockout.
    var maxDelay: Duration = .seconds(60)
    /// How long an admitted attempt whose outcome was never recorded blocks the next one.
    var attemptTimeout: Duration = .seconds(10)

    /// A client that has not failed for this long is forgotten (its count starts again at 0).
    var forgetAfter: Duration { max(lockout, maxDelay, .seconds(3600)) }
}

/// Whether a login attempt may go ahead.
enum LoginAdmission: Sendable, Equatable {
    /// Check the credentials, then report the outcome with `recordFailure` or `recordSuccess`.
    case allowed
    /// Do not check the credentials; answer 429 with `Retry-After` (whole seconds, rounded up). `lockedOut` tells
    /// a lockout (after `login_max_failures` failures) from the ordinary growing delay between attempts.
    case refused(retryAfter: Duration, lockedOut: Bool)
}

/// Slows down password guessing per client (IP address): after each failed login the next attempt must wait
/// 1 s, 2 s, 4 s … (up to `maxDelay`), and after `maxFailures` consecutive failures the client is locked out for
/// `lockout`. After a lockout one attempt is allowed; if it fails too, the lockout starts again. A success forgets
/// the client. Only one attempt per client is in flight at a time, so parallel guesses gain nothing.
///
/// Callers must call ``admit(client:now:)`` before checking credentials and, for every `.allowed`, report the
/// outcome (``recordFailure(client:now:)`` or ``recordSuccess(client:)``); an outcome never reported stops
/// blocking after `attemptTimeout`. Log failures and refusals without the password.
///
/// Pure and thread-safe: the time is passed in (a fake clock in tests), state sits behind a mutex. Memory is
/// bounded: clients that no longer restrict anything are dropped on a periodic sweep, and at most `maxClients`
/// are held (at the cap, forgotten clients go first, then the one idle the longest).
final class LoginThrottle: Sendable {
    private struct Entry {
        var failures = 0
        var lastFailure: ContinuousClock.Instant?
        var pendingSince: ContinuousClock.Instant?
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var lastSweep: ContinuousClock.Instant?
        /// Clients that logged in successfully, and when (bounded by `maxClients`; lost on restart).
        var succeeded: [String: ContinuousClock.Instant] = [:]
    }

    /// How long a successful login keeps its address in good standing for the ``LoginQueue``.
    static let goodStandingFor: Duration = .seconds(30 * 24 * 3600)

    let maxClients: Int
    private let settings: @Sendable () -> LoginThrottleSettings
    private let state = Mutex(State())

    init(maxClients: Int = 10_000, settings: @escaping @Sendable () -> LoginThrottleSettings) {
        self.maxClients = max(1, maxClients)
        self.settings = settings
    }

    /// Whether `client` may try to log in now; an allowed attempt counts as in flight until its outcome is
    /// recorded (or `attemptTimeout` passes).
    func admit(client: String, now: ContinuousClock.Instant) -> LoginAdmission {
        let policy = settings()
        return state.withLock { state in
            sweepIfDue(&state, now: now, policy: policy)
            var entry = state.entries[client] ?? Entry()
            if Self.isForgotten(entry, now: now, policy: policy) { entry = Entry() }
            if let lastFailure = entry.lastFailure {
                let locked = policy.maxFailures > 0 && entry.failures >= policy.maxFailures
                let until = lastFailure + (locked ? policy.lockout : Self.delay(afterFailures: entry.failures, policy))
                if until > now { return .refused(retryAfter: until - now, lockedOut: locked) }
            }
            if let pending = entry.pendingSince, now - pending < policy.attemptTimeout, now >= pending {
                return .refused(retryAfter: .seconds(1), lockedOut: false)
            }
            entry.pendingSince = now
            if state.entries[client] == nil, state.entries.count >= maxClients {
                makeRoom(&state, now: now, policy: policy)
            }
            state.entries[client] = entry
            return .allowed
        }
    }

    /// The attempt failed (wrong credentials): the next one must wait longer, or the client is locked out.
    func recordFailure(client: String, now: ContinuousClock.Instant) {
        let policy = settings()
        state.withLock { state in
            var entry = state.entries[client] ?? Entry()
            if Self.isForgotten(entry, now: now, policy: policy) { entry = Entry() }
            entry.failures += 1
            entry.lastFailure = now
            entry.pendingSince = nil
            if state.entries[client] == nil, state.entries.count >= maxClients {
                makeRoom(&state, now: now, policy: policy)
            }
            state.entries[client] = entry
        }
    }

    /// The attempt succeeded: the client's failures are forgotten, and its address keeps a place at the front of
    /// the ``LoginQueue`` for ``goodStandingFor``.
    func recordSuccess(client: String, now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            state.entries.removeValue(forKey: client)
            if state.succeeded[client] == nil, state.succeeded.count >= maxClients,
               let oldest = state.succeeded.min(by: { $0.value < $1.value })?.key {
                state.succeeded.removeValue(forKey: oldest)
            }
            state.succeeded[client] = now
        }
    }

    /// An admitted attempt that was never checked (no slot was free in time): it counts neither way, and the
    /// client may try again at once.
    func abandon(client: String) {
        state.withLock { state in
            state.entries[client]?.pendingSince = nil
        }
    }

    /// The client's place in the ``LoginQueue``: -1 after a recent successful login, else its failed logins.
    func standing(client: String, now: ContinuousClock.Instant) -> LoginQueue.Standing {
        state.withLock { state in
            if let success = state.succeeded[client], now - success < Self.goodStandingFor { return -1 }
            return state.entries[client]?.failures ?? 0
        }
    }

    /// How many clients are remembered (for tests of the memory bound).
    var clientCount: Int { state.withLock { $0.entries.count } }

    /// The wait after `failures` consecutive failures short of a lockout: base × 2^(failures − 1), capped.
    static func delay(afterFailures failures: Int, _ policy: LoginThrottleSettings) -> Duration {
        guard failures > 0 else { return .zero }
        let doubled = policy.baseDelay * (1 << min(failures - 1, 30))
        return min(doubled, policy.maxDelay)
    }

    /// No failure within `forgetAfter` and no attempt in flight: the entry no longer restricts anything.
    private static func isForgotten(_ entry: Entry, now: ContinuousClock.Instant, policy: LoginThrottleSettings) -> Bool {
        if let pending = entry.pendingSince, now - pending < policy.attemptTimeout { return false }
        guard let lastFailure = entry.lastFailure else { return true }
        return now - lastFailure >= policy.forgetAfter
    }

    private func sweepIfDue(_ state: inout State, now: ContinuousClock.Instant, policy: LoginThrottleSettings) {
        guard let last = state.lastSweep, now - last < .seconds(60) else {
            state.lastSweep = now
            state.entries = state.entries.filter { !Self.isForgotten($0.value, now: now, policy: policy) }
            return
        }
    }

    private func makeRoom(_ state: inout State, now: ContinuousClock.Instant, policy: LoginThrottleSettings) {
        state.entries = state.entries.filter { !Self.isForgotten($0.value, now: now, policy: policy) }
        let idleLongest = { (a: Entry, b: Entry) in (Self.lastSeen(a) ?? now) < (Self.lastSeen(b) ?? now) }
        while state.entries.count >= maxClients, let oldest = state.entries.min(by: { idleLongest($0.value, $1.value) })?.key {
            state.entries.removeValue(forKey: oldest)
        }
    }

    private static func lastSeen(_ entry: Entry) -> ContinuousClock.Instant? {
        [entry.lastFailure, entry.pendingSince].compactMap { $0 }.max()
    }
}
