import Metrics
import NTSystem
import Synchronization

/// Keeps a recent verdict on the upstream API key, so that probes read it without waiting for the upstream.
///
/// `run()` checks at once, then again after `interval(for:)` of the last verdict (valid or invalid: every 5
/// minutes; unknown: every 30 seconds), or at once after `refreshSoon()` (called when the configuration is
/// reloaded, as the key may have been rotated); between checks it sleeps, with no timer of its own. Readers take
/// `current`, which never blocks. Also records `neural_terminal_upstream_key_valid` (1 valid, 0 invalid; last known
/// value) and `neural_terminal_upstream_key_limit_remaining_usd`.
public final class KeyStatusMonitor: Sendable {
    /// Re-check period after a definite verdict (valid, invalid, unsupported, no key).
    public static let settledInterval = Duration.seconds(300)
    /// Re-check period while the verdict is unknown (the upstream unreachable, say).
    public static let unknownInterval = Duration.seconds(30)

    private let check: @Sendable () async -> UpstreamKeyStatus
    private let latest = Mutex(UpstreamKeyStatus.notChecked)
    /// Raised by `refreshSoon()`; a check under way takes it back (it reads the key as it is now).
    private let refreshRequested = WakeSignal()

    /// A monitor that asks `check` (normally `OpenRouterUpstream.checkKey`).
    public init(check: @escaping @Sendable () async -> UpstreamKeyStatus) {
        self.check = check
    }

    /// The latest verdict (`notChecked` until the first check has answered).
    public var current: UpstreamKeyStatus { latest.withLock { $0 } }

    /// Asks for a new check now (after a reload that may have changed the key).
    public func refreshSoon() {
        refreshRequested.raise()
    }

    /// How long to wait after `status` before checking again.
    public static func interval(for status: UpstreamKeyStatus) -> Duration {
        status.state == .unknown ? unknownInterval : settledInterval
    }

    /// Checks once now and stores the verdict.
    @discardableResult
    public func refresh() async -> UpstreamKeyStatus {
        refreshRequested.reset()
        let status = await check()
        latest.withLock { $0 = status }
        Self.record(status)
        return status
    }

    /// Checks until the task is cancelled: after each verdict's interval, or at once when asked to.
    public func run() async {
        while !Task.isCancelled {
            let status = await refresh()
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await Task.sleep(for: Self.interval(for: status)) }
                group.addTask { await self.refreshRequested.wait() }
                await group.next()
                group.cancelAll()
            }
        }
    }

    private static func record(_ status: UpstreamKeyStatus) {
        switch status.state {
        case .valid: Gauge(label: "neural_terminal_upstream_key_valid").record(1)
        case .invalid: Gauge(label: "neural_terminal_upstream_key_valid").record(0)
        default: break
        }
        if let remaining = status.limitRemainingUSD {
            Gauge(label: "neural_terminal_upstream_key_limit_remaining_usd").record(remaining)
        }
    }
}
