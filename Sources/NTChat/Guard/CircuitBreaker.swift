import Logging
import Metrics
import NTOpenRouter
import Synchronization

/// The circuit breakers around the upstream, one set per web worker process: one for the upstream as a whole and
/// one per model (ADR 0016).
///
/// Each attempt passes both: the upstream's circuit, then its model's. An attempt's outcome goes to the circuit
/// it says something about (``BreakerOutcome``): no HTTP answer at all counts against the upstream; an HTTP answer
/// that failed (5xx, 408, 429, a stream that broke off) counts against that model only, and tells the upstream's
/// circuit that the upstream is reachable; a 4xx about the request (400, 401, 402, 403, 404, 413, 422: a bad
/// request, no credit, moderation) counts against neither. So a failing model is refused on its own while the
/// others stay usable, and an unreachable upstream refuses every model at once. Each circuit is a
/// ``BreakerCircuit`` with the same `[breaker]` settings.
///
/// At most ``maxTrackedModels`` model circuits are kept; past that the least recently asked one is forgotten
/// (a closed one first). Every transition is logged at notice level (`breaker`: `upstream` or `model`, and
/// `model`); the upstream's sets the `neural_terminal_circuit_breaker_state` gauge (0 closed, 1 open, 2 half-open),
/// and ``publishMetrics()`` sets `neural_terminal_circuit_breaker_open_models`.
public final class CircuitBreaker: Sendable {
    /// The most model circuits kept at once: the bound of the breaker's memory whatever model names requests use.
    public static let maxTrackedModels = 256

    private struct Circuits {
        var generations = 0
        var upstream = BreakerCircuit(generation: 0)
        var models: [String: BreakerCircuit] = [:]

        /// The model's circuit, made (and room made for it) when there is none.
        mutating func model(_ model: String) -> BreakerCircuit {
            if let circuit = models[model] { return circuit }
            if models.count >= CircuitBreaker.maxTrackedModels {
                let victim = models.filter { $0.value.state == .closed }.min { $0.value.lastUsed < $1.value.lastUsed }
                    ?? models.min { $0.value.lastUsed < $1.value.lastUsed }
                if let victim { models[victim.key] = nil }
            }
            generations += 1
            return BreakerCircuit(generation: generations)
        }
    }

    private let circuits = Mutex(Circuits())
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
        Gauge(label: "neural_terminal_circuit_breaker_open_models").record(0)
    }

    /// Asks to make one upstream attempt for `model`.
    ///
    /// - Returns: a permit (hand it back with ``record(_:_:)``), or ``CircuitOpen`` when the upstream's circuit or
    ///   the model's refuses; its `model` says which.
    public func acquire(model: String) -> Result<BreakerPermit, CircuitOpen> {
        let now = clock.now()
        var transitions: [(String?, BreakerCircuit.Transition)] = []
        let result = circuits.withLock { c -> Result<BreakerPermit, CircuitOpen> in
            let (upstreamGrant, upstreamMove) = c.upstream.acquire(now: now, generations: &c.generations)
            if let upstreamMove { transitions.append((nil, upstreamMove)) }
            let upstream: CircuitPermit
            switch upstreamGrant {
            case .granted(let permit): upstream = permit
            case .refused(let until): return .failure(refusal(model: nil, until: until, now: now))
            }
            var circuit = c.model(model)
            let (modelGrant, modelMove) = circuit.acquire(now: now, generations: &c.generations)
            c.models[model] = circuit
            if let modelMove { transitions.append((model, modelMove)) }
            switch modelGrant {
            case .granted(let permit):
                return .success(BreakerPermit(model: model, upstream: upstream, modelPermit: permit))
            case .refused(let until):
                // The upstream's probe slot, if this was its probe, goes to the next request.
                _ = c.upstream.record(upstream, .ignored, now: now, settings: settings(), generations: &c.generations)
                return .failure(refusal(model: model, until: until, now: now))
            }
        }
        for (model, transition) in transitions { announce(transition, model: model) }
        return result
    }

    /// A permit for a retry of `model`: nil unless both circuits are closed (a retry is never a probe).
    public func acquireRetry(model: String) -> BreakerPermit? {
        let closed = circuits.withLock { c in c.upstream.state == .closed && (c.models[model]?.state ?? .closed) == .closed }
        guard closed, case .success(let permit) = acquire(model: model), !permit.isProbe else { return nil }
        return permit
    }

    /// Records how the attempt made with `permit` went, in the circuits it says something about.
    public func record(_ permit: BreakerPermit, _ outcome: BreakerOutcome) {
        let now = clock.now()
        let settings = self.settings()
        var transitions: [(String?, BreakerCircuit.Transition)] = []
        circuits.withLock { c in
            if let move = c.upstream.record(permit.upstream, outcome.upstreamVerdict, now: now, settings: settings, generations: &c.generations) {
                transitions.append((nil, move))
            }
            guard var circuit = c.models[permit.model] else { return }
            if let move = circuit.record(permit.modelPermit, outcome.modelVerdict, now: now, settings: settings, generations: &c.generations) {
                transitions.append((permit.model, move))
            }
            c.models[permit.model] = circuit
        }
        for (model, transition) in transitions { announce(transition, model: model) }
    }

    /// The state now, for `GET /api/usage` and the diagnostics: the upstream's circuit, and every model whose
    /// circuit is not closed or has counted failures.
    public var snapshot: BreakerSnapshot {
        let now = clock.now()
        let wall = clock.wallNow()
        func retryAt(_ circuit: BreakerCircuit) -> Double? {
            circuit.state == .open ? wall + max(0, circuit.openUntil - now) : nil
        }
        return circuits.withLock { c in
            BreakerSnapshot(
                state: c.upstream.state, retryAtEpochSeconds: retryAt(c.upstream),
                consecutiveFailures: c.upstream.consecutiveFailures,
                models: c.models.filter { $0.value.isNoteworthy }.sorted { $0.key < $1.key }.map { model, circuit in
                    ModelBreakerSnapshot(model: model, state: circuit.state, retryAtEpochSeconds: retryAt(circuit),
                                         consecutiveFailures: circuit.consecutiveFailures)
                }
            )
        }
    }

    /// How many model circuits are kept now (at most ``maxTrackedModels``).
    public var trackedModels: Int { circuits.withLock { $0.models.count } }

    /// Sets `neural_terminal_circuit_breaker_open_models`: the models whose own circuit refuses attempts now.
    /// Read at each scrape, so a model nobody asks for again drops out once its open period has passed.
    public func publishMetrics() {
        let now = clock.now()
        let refusing = circuits.withLock { c in c.models.values.count { $0.refuses(now: now) } }
        Gauge(label: "neural_terminal_circuit_breaker_open_models").record(refusing)
    }

    private func refusal(model: String?, until: Double, now: Double) -> CircuitOpen {
        CircuitOpen(retryAtEpochSeconds: clock.wallNow() + max(0, until - now), retryInSeconds: until - now, model: model)
    }

    private func announce(_ transition: BreakerCircuit.Transition, model: String?) {
        var metadata: Logger.Metadata = [
            "breaker": "\(model == nil ? "upstream" : "model")",
            "from": "\(transition.from.rawValue)", "to": "\(transition.to.rawValue)", "reason": "\(transition.reason)",
        ]
        if let model {
            metadata["model"] = "\(model)"
        } else {
            Gauge(label: "neural_terminal_circuit_breaker_state").record(transition.to.gaugeValue)
        }
        let current = snapshot
        let retryAt = model == nil ? current.retryAtEpochSeconds : current.models.first { $0.model == model }?.retryAtEpochSeconds
        if let retryAt { metadata["retry_at"] = "\(BreakerSnapshot.rfc3339(retryAt))" }
        let name = transition.to == .halfOpen ? "half-open" : transition.to.rawValue
        logger.notice("\(model == nil ? "circuit breaker" : "model circuit breaker") \(name)", metadata: metadata)
    }
}
