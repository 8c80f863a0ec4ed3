/// The login throttle's policy, read from the configuration at the point of use (a SIGHUP applies at once,
/// to clients already waiting too: delays and lockouts are computed from the stored failures, not stored).
public struct LoginThrottleSettings: Sendable, Equatable {
    /// Consecutive failures that lock a client out; 0 = never locked out (the growing delay still applies).
    public var maxFailures: Int
    /// How long a lockout lasts, counted from the failure that caused it.
    public var lockout: Duration
    /// The wait after the first failure; it doubles with each further failure.
    public var baseDelay: Duration
    /// The longest wait between attempts short of a lockout.
    public var maxDelay: Duration
    /// How long an admitted attempt whose outcome was never recorded blocks the next one.
    public var attemptTimeout: Duration

    public init(
        maxFailures: Int, lockout: Duration, baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(60),
        attemptTimeout: Duration = .seconds(10)
    ) {
        (self.maxFailures, self.lockout, self.baseDelay, self.maxDelay, self.attemptTimeout) =
            (maxFailures, lockout, baseDelay, maxDelay, attemptTimeout)
    }

    /// A client that has not failed for this long is forgotten (its count starts again at 0).
    public var forgetAfter: Duration { max(lockout, maxDelay, .seconds(3600)) }

    /// How long a successful login keeps its address in good standing: first in the queue of password checks.
    public static let goodStandingFor: Duration = .seconds(30 * 24 * 3600)

    /// How often a store drops the records that restrict nothing any more.
    public static let sweepInterval: Duration = .seconds(60)

    /// A client whose record was last written this long ago restricts nothing any more (no failure within
    /// ``forgetAfter``, no attempt in flight): a store may drop it.
    public var idleAfter: Duration { max(forgetAfter, attemptTimeout) }

    /// The wait after `failures` consecutive failures short of a lockout: base × 2^(failures − 1), capped.
    public func delay(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        let doubled = baseDelay * (1 << min(failures - 1, 30))
        return min(doubled, maxDelay)
    }
}

/// Whether a login attempt may go ahead.
public enum LoginAdmission: Sendable, Equatable {
    /// Check the credentials, then report the outcome (a failure or a success).
    case allowed
    /// Do not check the credentials; answer 429 with `Retry-After` (whole seconds, rounded up). `lockedOut` tells
    /// a lockout (after `login_max_failures` failures) from the ordinary growing delay between attempts.
    case refused(retryAfter: Duration, lockedOut: Bool)
}

/// One client's record with the login throttle, and the policy's decisions on it: after each failed login the
/// next attempt must wait 1 s, 2 s, 4 s … (up to `maxDelay`); after `maxFailures` consecutive failures the client
/// is locked out for `lockout`, then one attempt is allowed and its failure locks it out again; one attempt is in
/// flight at a time; a client quiet for `forgetAfter` starts again.
///
/// The same arithmetic whichever store keeps the records: the web worker's memory (on SQLite) or the database
/// shared by every appliance (``SharedLoginThrottle``, on PostgreSQL). `Instant` is the store's clock: a
/// `ContinuousClock.Instant` in memory, ``EpochInstant`` (wall-clock milliseconds) in the database.
public struct LoginRecord<Instant: InstantProtocol & Sendable>: Sendable, Equatable where Instant.Duration == Duration {
    /// Consecutive failures (since the last success, or since the client was forgotten).
    public var failures: Int
    public var lastFailure: Instant?
    /// When the attempt in flight was admitted; nil when none is.
    public var pendingSince: Instant?

    public init(failures: Int = 0, lastFailure: Instant? = nil, pendingSince: Instant? = nil) {
        (self.failures, self.lastFailure, self.pendingSince) = (failures, lastFailure, pendingSince)
    }

    /// Whether an attempt at `now` may go ahead. When it may, the record holds it in flight from now on: the caller
    /// stores the record and later reports the outcome (``recordFailure(now:policy:)``, a success that forgets the
    /// client, or ``abandon()``). A refusal leaves the record unchanged.
    public mutating func admit(now: Instant, policy: LoginThrottleSettings) -> LoginAdmission {
        var entry = isForgotten(now: now, policy: policy) ? LoginRecord() : self
        if let lastFailure = entry.lastFailure {
            let locked = policy.maxFailures > 0 && entry.failures >= policy.maxFailures
            let until = lastFailure.advanced(by: locked ? policy.lockout : policy.delay(afterFailures: entry.failures))
            if until > now { return .refused(retryAfter: now.duration(to: until), lockedOut: locked) }
        }
        if let pending = entry.pendingSince, pending.duration(to: now) < policy.attemptTimeout, now >= pending {
            return .refused(retryAfter: .seconds(1), lockedOut: false)
        }
        entry.pendingSince = now
        self = entry
        return .allowed
    }

    /// The attempt failed (wrong credentials): the next one must wait longer, or the client is locked out.
    public mutating func recordFailure(now: Instant, policy: LoginThrottleSettings) {
        if isForgotten(now: now, policy: policy) { self = LoginRecord() }
        failures += 1
        lastFailure = now
        pendingSince = nil
    }

    /// The admitted attempt was never checked: it counts neither way, and the client may try again at once.
    public mutating func abandon() { pendingSince = nil }

    /// No failure within `forgetAfter` and no attempt in flight: the record no longer restricts anything.
    public func isForgotten(now: Instant, policy: LoginThrottleSettings) -> Bool {
        if let pending = pendingSince, pending.duration(to: now) < policy.attemptTimeout { return false }
        guard let lastFailure else { return true }
        return lastFailure.duration(to: now) >= policy.forgetAfter
    }

    /// The latest time the record was touched, for evicting the one idle the longest.
    public var lastSeen: Instant? { [lastFailure, pendingSince].compactMap { $0 }.max() }
}

/// A wall-clock time in whole milliseconds since 1970-01-01 UTC: what the shared login throttle stores, so that
/// every appliance reads the same instants (a `ContinuousClock` instant means nothing outside its process).
public struct EpochInstant: InstantProtocol, Sendable {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public func advanced(by duration: Duration) -> EpochInstant {
        EpochInstant(milliseconds: milliseconds + Self.milliseconds(of: duration))
    }

    public func duration(to other: EpochInstant) -> Duration { .milliseconds(other.milliseconds - milliseconds) }

    public static func < (lhs: EpochInstant, rhs: EpochInstant) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// `duration` in whole milliseconds, rounded down.
    public static func milliseconds(of duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
