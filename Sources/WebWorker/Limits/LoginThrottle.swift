import NTAuth
import Synchronization

/// The policy and its decisions live in NTAuth (``LoginRecord``), shared with the database's store.
typealias LoginThrottleSettings = NTAuth.LoginThrottleSettings
typealias LoginAdmission = NTAuth.LoginAdmission

/// Slows down password guessing per client (IP address) in the web worker's memory, for an appliance on SQLite
/// (on PostgreSQL the appliances share ``SharedLoginThrottle``): after each failed login the next attempt must wait
/// 1 s, 2 s, 4 s … (up to `maxDelay`), and after `maxFailures` consecutive failures the client is locked out for
/// `lockout`. After a lockout one attempt is allowed; if it fails too, the lockout starts again. A success forgets
/// the client. Only one attempt per client is in flight at a time, so parallel guesses gain nothing. The decisions
/// are ``LoginRecord``'s.
///
/// Callers must call ``admit(client:now:)`` before checking credentials and, for every `.allowed`, report the
/// outcome (``recordFailure(client:now:)`` or ``recordSuccess(client:)``); an outcome never reported stops
/// blocking after `attemptTimeout`. Log failures and refusals without the password.
///
/// Pure and thread-safe: the time is passed in (a fake clock in tests), state sits behind a mutex. Memory is
/// bounded: clients that no longer restrict anything are dropped on a periodic sweep, and at most `maxClients`
/// are held (at the cap, forgotten clients go first, then the one idle the longest).
final class LoginThrottle: Sendable {
    private typealias Entry = LoginRecord<ContinuousClock.Instant>

    private struct State {
        var entries: [String: Entry] = [:]
        var lastSweep: ContinuousClock.Instant?
        /// Clients that logged in successfully, and when (bounded by `maxClients`; lost on restart).
        var succeeded: [String: ContinuousClock.Instant] = [:]
    }

    /// How long a successful login keeps its address in good standing for the ``LoginQueue``.
    static let goodStandingFor = LoginThrottleSettings.goodStandingFor

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
            let admission = entry.admit(now: now, policy: policy)
            guard admission == .allowed else { return admission }
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
            entry.recordFailure(now: now, policy: policy)
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
            state.entries[client]?.abandon()
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

    private func sweepIfDue(_ state: inout State, now: ContinuousClock.Instant, policy: LoginThrottleSettings) {
        guard let last = state.lastSweep, now - last < LoginThrottleSettings.sweepInterval else {
            state.lastSweep = now
            state.entries = state.entries.filter { !$0.value.isForgotten(now: now, policy: policy) }
            return
        }
    }

    private func makeRoom(_ state: inout State, now: ContinuousClock.Instant, policy: LoginThrottleSettings) {
        state.entries = state.entries.filter { !$0.value.isForgotten(now: now, policy: policy) }
        let idleLongest = { (a: Entry, b: Entry) in (a.lastSeen ?? now) < (b.lastSeen ?? now) }
        while state.entries.count >= maxClients, let oldest = state.entries.min(by: { idleLongest($0.value, $1.value) })?.key {
            state.entries.removeValue(forKey: oldest)
        }
    }
}
