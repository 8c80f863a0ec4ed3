import Logging
import Metrics
import NTOpenRouter
import Synchronization

/// The circuit breaker around the upstream, one per web worker process.
///
/// - **closed**: attempts pass; it opens after `failureThreshold` consecutive failures, or when at least
///   `minRequests` attempts in the last `windowSeconds` include a share of failures ≥ `failureRatio`.
/// - **open**: attempts are refused (``CircuitOpen`` says when the next may pass) for `openSeconds`.
/// - **half-open**: the first attempt after that is the probe; others are refused while it runs. Its success
///   closes the breaker (counts reset), its failure opens it again for `openSeconds`; an outcome that says
///   nothing (``BreakerOutcome/ignored``) frees the probe slot for the next request.
///
/// Outcomes of attempts that started before the latest transition do not move the state. Every transition is
/// logged at notice level and sets the `neural_terminal_circuit_breaker_state` gauge (0 closed, 1 open, 2 half-open).
public final class CircuitBreaker: Sendable {
    private struct State {
        var state = BreakerState.closed
        var generation = 0
        var consecutiveFailures = 0
        /// (time, failed) of recent attempts, oldest first, within the window.
        var window: [(at: Double, failed: Bool)] = []
        var openUntil: Double = 0
        var probeInFlight = false
    }

    private let state = Mutex(State())
    let settings: @Sendable () -> BreakerSettings
    let clock: BreakerClock
    let logger: Logger

    /// - Parameters:
    ///   - settings: read at every decision, so a reloaded configuration applies at once.
    ///   - clock: ``BreakerClock/system`` except in tests.
    public init(settings: @escaping @Sendable () -> BreakerSettings, clock: BreakerClock = .system, logger: Logger) {
        self.settings = settings
        self.clock = clock
        self.logger = logger
        Gauge(label: "neural_terminal_circuit_breaker_state").record(BreakerState.closed.gaugeValue)
    }

    /// Asks to make one upstream attempt.
    ///
    /// - Returns: a permit (hand it back with ``record(_:_:)``), or ``CircuitOpen`` when the breaker refuses.
    public func acquire() -> Result<BreakerPermit, CircuitOpen> {
        let now = clock.now()
        var transition: (BreakerState, BreakerState, String)?
        let result = state.withLock { s -> Result<BreakerPermit, CircuitOpen> in
            switch s.state {
            case .closed:
                return .success(BreakerPermit(isProbe: false, generation: s.generation))
            case .open:
                guard now >= s.openUntil else { return .failure(refusal(until: s.openUntil, now: now)) }
                transition = (.open, .halfOpen, "the open period ended; letting one probe through")
                Self.move(&s, to: .halfOpen)
                s.probeInFlight = true
                return .success(BreakerPermit(isProbe: true, generation: s.generation))
            case .halfOpen:
                if s.probeInFlight { return .failure(refusal(until: now + 1, now: now)) }
                s.probeInFlight = true
                return .success(BreakerPermit(isProbe: true, generation: s.generation))
            }
        }
        if let transition { announce(transition) }
        return result
    }

    /// Records how the attempt made with `permit` went.
    public func record(_ permit: BreakerPermit, _ outcome: BreakerOutcome) {
        let now = clock.now()
        let settings = self.settings()
        var transition: (BreakerState, BreakerState, String)?
        state.withLock { s in
            guard permit.generation == s.generation else { return }
            switch s.state {
            case .closed:
                guard outcome != .ignored else { return }
                let failed = outcome == .failure
                s.window.append((now, failed))
                s.window.removeFirst(s.window.prefix { $0.at <= now - settings.windowSeconds }.count)
                if s.window.count > 100_000 { s.window.removeFirst(s.window.count - 100_000) }
                s.consecutiveFailures = failed ? s.consecutiveFailures + 1 : 0
                guard failed else { return }
                let failures = s.window.count(where: { $0.failed })
                let ratio = Double(failures) / Double(s.window.count)
                let reason: String
                if s.consecutiveFailures >= settings.failureThreshold {
                    reason = "\(s.consecutiveFailures) consecutive failures"
                } else if s.window.count >= settings.minRequests, ratio >= settings.failureRatio {
                    reason = "\(failures) of \(s.window.count) attempts failed in the last \(Int(settings.windowSeconds)) s"
                } else {
                    return
                }
                Self.move(&s, to: .open)
                s.openUntil = now + settings.openSeconds
                transition = (.closed, .open, reason)
            case .open:
                return
            case .halfOpen:
                guard permit.isProbe else { return }
                s.probeInFlight = false
                switch outcome {
                case .ignored:
                    return
                case .success:
                    Self.move(&s, to: .closed)
                    s.consecutiveFailures = 0
                    s.window = []
                    transition = (.halfOpen, .closed, "the probe succeeded")
                case .failure:
                    Self.move(&s, to: .open)
                    s.consecutiveFailures += 1
                    s.openUntil = now + settings.openSeconds
                    transition = (.halfOpen, .open, "the probe failed")
                }
            }
        }
        if let transition { announce(transition) }
    }

    /// The state now, for `GET /api/usage`.
    public var snapshot: BreakerSnapshot {
        let now = clock.now()
        let wall = clock.wallNow()
        return state.withLock { s in
            BreakerSnapshot(
                state: s.state,
                retryAtEpochSeconds: s.state == .open ? wall + max(0, s.openUntil - now) : nil,
                consecutiveFailures: s.consecutiveFailures
            )
        }
    }

    /// Whether a failed attempt counts against the upstream's health: transport errors and timeouts (no HTTP
    /// status), and the HTTP statuses `UpstreamErrorBody.isRetryable(status:)` calls transient (408, 429, 500,
    /// 502, 503, 504: the one definition the retries use too). Other statuses, a missing API key, a request that
    /// could not be encoded and a cancelled transfer do not.
    public static func counts(_ failure: UpstreamFailure) -> Bool {
        if let status = failure.httpStatus { return UpstreamErrorBody.isRetryable(status: status) }
        switch failure.code {
        case "no_api_key", "invalid_request", "cancelled": return false
        default: return true
        }
    }

    private static func move(_ s: inout State, to new: BreakerState) {
        s.state = new
        s.generation += 1
        s.probeInFlight = false
    }

    private func refusal(until: Double, now: Double) -> CircuitOpen {
        CircuitOpen(retryAtEpochSeconds: clock.wallNow() + max(0, until - now), retryInSeconds: until - now)
    }

    private func announce(_ transition: (from: BreakerState, to: BreakerState, reason: String)) {
        Gauge(label: "neural_terminal_circuit_breaker_state").record(transition.to.gaugeValue)
        var metadata: Logger.Metadata = [
            "from": "\(transition.from.rawValue)", "to": "\(transition.to.rawValue)", "reason": "\(transition.reason)",
        ]
        if let retryAt = snapshot.retryAtEpochSeconds { metadata["retry_at"] = "\(BreakerSnapshot.rfc3339(retryAt))" }
        logger.notice("circuit breaker \(transition.to == .halfOpen ? "half-open" : transition.to.rawValue)", metadata: metadata)
    }
}
