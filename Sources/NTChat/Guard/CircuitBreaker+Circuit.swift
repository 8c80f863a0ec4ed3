/// One breaker's state machine: the upstream's, or one model's. A value without a lock of its own:
/// ``CircuitBreaker`` keeps every circuit under one lock and hands out the generations.
///
/// - **closed**: attempts pass; it opens after `failureThreshold` consecutive failures, or when at least
///   `minRequests` attempts in the last `windowSeconds` include a share of failures ≥ `failureRatio`.
/// - **open**: attempts are refused until `openUntil`.
/// - **half-open**: the first attempt after that is the probe; others are refused while it runs. Its success
///   closes the circuit (counts reset), its failure opens it again; an outcome that says nothing frees the slot.
///
/// Outcomes of permits given before the latest transition (an older `generation`) do not move the state.
struct BreakerCircuit {
    /// What one attempt says about this circuit.
    enum Verdict { case success, failure, ignored }

    /// A state change, for the log and the gauges.
    struct Transition {
        let from: BreakerState
        let to: BreakerState
        let reason: String
    }

    /// Whether an attempt may pass.
    enum Grant {
        case granted(CircuitPermit)
        case refused(until: Double)
    }

    private(set) var state = BreakerState.closed
    /// The transition count as ``CircuitBreaker`` numbers them (unique across circuits and their lives).
    private(set) var generation: Int
    private(set) var consecutiveFailures = 0
    /// (time, failed) of recent attempts, oldest first, within the window.
    private var window: [(at: Double, failed: Bool)] = []
    private(set) var openUntil: Double = 0
    private var probeInFlight = false
    /// When an attempt last asked: the least recently used model circuit is the one forgotten first.
    private(set) var lastUsed: Double = 0

    init(generation: Int) {
        self.generation = generation
    }

    /// Asks for one attempt; `generations` numbers a transition.
    mutating func acquire(now: Double, generations: inout Int) -> (Grant, Transition?) {
        lastUsed = now
        switch state {
        case .closed:
            return (.granted(CircuitPermit(isProbe: false, generation: generation)), nil)
        case .open:
            guard now >= openUntil else { return (.refused(until: openUntil), nil) }
            move(to: .halfOpen, generations: &generations)
            probeInFlight = true
            let transition = Transition(from: .open, to: .halfOpen, reason: "the open period ended; letting one probe through")
            return (.granted(CircuitPermit(isProbe: true, generation: generation)), transition)
        case .halfOpen:
            if probeInFlight { return (.refused(until: now + 1), nil) }
            probeInFlight = true
            return (.granted(CircuitPermit(isProbe: true, generation: generation)), nil)
        }
    }

    /// Records how the attempt made with `permit` went.
    mutating func record(_ permit: CircuitPermit, _ verdict: Verdict, now: Double, settings: BreakerSettings,
                         generations: inout Int) -> Transition? {
        guard permit.generation == generation else { return nil }
        switch state {
        case .closed:
            guard verdict != .ignored else { return nil }
            let failed = verdict == .failure
            window.append((now, failed))
            window.removeFirst(window.prefix { $0.at <= now - settings.windowSeconds }.count)
            if window.count > 100_000 { window.removeFirst(window.count - 100_000) }
            consecutiveFailures = failed ? consecutiveFailures + 1 : 0
            guard failed else { return nil }
            let failures = window.count(where: { $0.failed })
            let ratio = Double(failures) / Double(window.count)
            let reason: String
            if consecutiveFailures >= settings.failureThreshold {
                reason = "\(consecutiveFailures) consecutive failures"
            } else if window.count >= settings.minRequests, ratio >= settings.failureRatio {
                reason = "\(failures) of \(window.count) attempts failed in the last \(Int(settings.windowSeconds)) s"
            } else {
                return nil
            }
            move(to: .open, generations: &generations)
            openUntil = now + settings.openSeconds
            return Transition(from: .closed, to: .open, reason: reason)
        case .open:
            return nil
        case .halfOpen:
            guard permit.isProbe else { return nil }
            probeInFlight = false
            switch verdict {
            case .ignored:
                return nil
            case .success:
                move(to: .closed, generations: &generations)
                consecutiveFailures = 0
                window = []
                return Transition(from: .halfOpen, to: .closed, reason: "the probe succeeded")
            case .failure:
                move(to: .open, generations: &generations)
                consecutiveFailures += 1
                openUntil = now + settings.openSeconds
                return Transition(from: .halfOpen, to: .open, reason: "the probe failed")
            }
        }
    }

    /// Whether this circuit refuses an attempt made now: open within its open period, or half-open with its probe
    /// on its way.
    func refuses(now: Double) -> Bool {
        switch state {
        case .closed: false
        case .open: now < openUntil
        case .halfOpen: probeInFlight
        }
    }

    /// Whether there is anything to report: not closed, or failures counted.
    var isNoteworthy: Bool { state != .closed || consecutiveFailures > 0 }

    private mutating func move(to new: BreakerState, generations: inout Int) {
        generations += 1
        state = new
        generation = generations
        probeInFlight = false
    }
}

/// Permission for one attempt through one circuit.
struct CircuitPermit: Sendable, Equatable {
    let isProbe: Bool
    let generation: Int
}
