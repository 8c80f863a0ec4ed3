import Synchronization

/// A rate as the configuration states it: `perMinute` requests on average, `burst` of them at once.
struct RateLimit: Sendable, Equatable {
    /// Sustained requests per minute; 0 or less means no limit.
    var perMinute: Int
    /// The bucket's size: how many requests may arrive back to back (at least 1 is used).
    var burst: Int

    /// No limit: every request passes and no state is kept.
    var isUnlimited: Bool { perMinute <= 0 }
}

/// What a limiter says about one request.
enum RateDecision: Sendable, Equatable {
    case allowed
    /// Refused; a request made `retryAfter` from now will pass (if nothing else is spent meanwhile).
    case refused(retryAfter: Duration)
}

/// Token buckets, one per key (a session, a token, a client IP), all under the same ``RateLimit``.
///
/// Pure: the caller passes the time (a fake clock in tests) and the limit in force (read from the configuration
/// at the point of use, so a SIGHUP applies to the next request). A changed limit starts every bucket afresh
/// (full), so a raised limit helps at once and a lowered one is not applied retroactively.
///
/// Memory is bounded: a bucket that has refilled completely is the same as no bucket, so such buckets are
/// dropped every `sweepInterval`; and at most `maxKeys` buckets are held; when a new key arrives at the cap, full
/// buckets are dropped first, then the bucket untouched the longest (which lets that key start afresh: a flood
/// of distinct keys can only make the limiter more lenient, never refuse a newcomer).
final class TokenBucketLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private struct State {
        var limit: RateLimit?
        var buckets: [String: Bucket] = [:]
        var lastSweep: ContinuousClock.Instant?
    }

    let maxKeys: Int
    let sweepInterval: Duration
    private let state = Mutex(State())

    init(maxKeys: Int = 10_000, sweepInterval: Duration = .seconds(60)) {
        self.maxKeys = max(1, maxKeys)
        self.sweepInterval = sweepInterval
    }

    /// Spends one token of `key`'s bucket if it has one.
    func take(_ key: String, limit: RateLimit, now: ContinuousClock.Instant) -> RateDecision {
        guard !limit.isUnlimited else { return .allowed }
        let burst = Double(max(1, limit.burst))
        let perSecond = Double(limit.perMinute) / 60
        return state.withLock { state in
            if state.limit != limit {
                state.limit = limit
                state.buckets.removeAll(keepingCapacity: true)
            }
            Self.sweepIfDue(&state, now: now, interval: sweepInterval, burst: burst, perSecond: perSecond)
            var bucket: Bucket
            if let existing = state.buckets[key] {
                bucket = existing
                let elapsed = max(0, Self.seconds(now - bucket.updated))
                bucket.tokens = min(burst, bucket.tokens + elapsed * perSecond)
                if now > bucket.updated { bucket.updated = now }
            } else {
                if state.buckets.count >= maxKeys {
                    Self.makeRoom(&state, maxKeys: maxKeys, now: now, burst: burst, perSecond: perSecond)
                }
                bucket = Bucket(tokens: burst, updated: now)
            }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                state.buckets[key] = bucket
                return .allowed
            }
            state.buckets[key] = bucket
            return .refused(retryAfter: .seconds((1 - bucket.tokens) / perSecond))
        }
    }

    /// How many buckets are held (for tests of the memory bound).
    var keyCount: Int { state.withLock { $0.buckets.count } }

    private static func sweepIfDue(
        _ state: inout State, now: ContinuousClock.Instant, interval: Duration, burst: Double, perSecond: Double
    ) {
        guard let last = state.lastSweep else {
            state.lastSweep = now
            return
        }
        guard now - last >= interval else { return }
        state.lastSweep = now
        dropFull(&state, now: now, burst: burst, perSecond: perSecond)
    }

    private static func dropFull(_ state: inout State, now: ContinuousClock.Instant, burst: Double, perSecond: Double) {
        state.buckets = state.buckets.filter { _, bucket in
            bucket.tokens + max(0, seconds(now - bucket.updated)) * perSecond < burst
        }
    }

    /// Called before a new key is added at the cap: full buckets go first, else the one untouched the longest.
    private static func makeRoom(
        _ state: inout State, maxKeys: Int, now: ContinuousClock.Instant, burst: Double, perSecond: Double
    ) {
        dropFull(&state, now: now, burst: burst, perSecond: perSecond)
        while state.buckets.count >= maxKeys, let oldest = state.buckets.min(by: { $0.value.updated < $1.value.updated })?.key {
            state.buckets.removeValue(forKey: oldest)
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

extension Duration {
    /// Whole seconds for a `Retry-After` header: rounded up, at least 1.
    var retryAfterSeconds: Int {
        let parts = components
        let whole = parts.seconds + (parts.attoseconds > 0 ? 1 : 0)
        return Int(max(1, whole))
    }
}
