import Logging
import Metrics
import NTLog
import NTOpenRouter
import NTStorage

/// What a client asks for: a new message (or a regeneration of an answer) in a conversation.
public struct TurnRequest: Sendable {
    public var conversationID: String
    /// The user's message; nil to regenerate an answer.
    public var content: String?
    /// With `content`: nil to follow the current leaf, or the id of an earlier user message the new one is an edit
    /// of (its sibling). Without `content`: the answer to regenerate, nil for the current leaf.
    public var branchFrom: String?
    public var model: String?
    public var maxTokens: Int?
    public var temperature: Double?
    public var requestID: String
    /// The asker's own budgets (ADR 0018); nil when none apply (the appliance's `[budget]` binds everyone anyway).
    public var person: PersonalBudget?
    /// Set when the conversation `conversationID` does not exist yet: the turn creates it with its first messages.
    public var newConversation: NewConversation?

    public init(conversationID: String, content: String?, branchFrom: String? = nil, model: String? = nil, maxTokens: Int? = nil,
                temperature: Double? = nil, requestID: String, person: PersonalBudget? = nil, newConversation: NewConversation? = nil) {
        self.person = person
        self.newConversation = newConversation
        self.conversationID = conversationID
        self.content = content
        self.branchFrom = branchFrom
        self.model = model
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.requestID = requestID
    }

    /// Where the turn's new messages go in the tree.
    public var placement: TurnPlacement {
        if content == nil { return .regenerate(branchFrom) }
        return branchFrom.map(TurnPlacement.editOf) ?? .followLeaf
    }
}

/// Settings the chat domain reads from the config at the start of each turn.
public struct ChatSettings: Sendable {
    public var defaultModel: String
    /// How often the partial answer is written to the database while it streams.
    public var flushInterval: Duration
    /// The `max_tokens` sent (and priced) when a request names none (`budget.default_max_tokens`), capped by the
    /// model's `max_completion_tokens` when known.
    public var defaultMaxTokens: Int
    /// Retries before the first token (`[retry]`).
    public var retry: RetryPolicy

    public init(defaultModel: String, flushInterval: Duration = .milliseconds(250), defaultMaxTokens: Int = 4096,
                retry: RetryPolicy = RetryPolicy()) {
        self.defaultModel = defaultModel
        self.flushInterval = flushInterval
        self.defaultMaxTokens = defaultMaxTokens
        self.retry = retry
    }
}

/// Why a turn could not start; the API maps each to an HTTP status before any stream opens. Nothing is stored
/// for a refused turn.
public enum TurnRefusal: Error, Sendable, Equatable {
    case conversationNotFound
    /// The edited or regenerated message is not in the conversation (HTTP 404).
    case messageNotFound
    case alreadyStreaming
    case nothingToRegenerate
    case invalid(String)
    /// The request's worst case could exceed a budget (HTTP 402 `budget_exceeded`).
    case budgetExceeded(BudgetExceeded)
    /// The circuit breaker is open (HTTP 503 `circuit_open` with `Retry-After`).
    case circuitOpen(CircuitOpen)
    /// Storage refused the turn's reads or writes (a lock held elsewhere, a full disk, an unreadable file):
    /// nothing was stored and nothing sent upstream (HTTP 503 or 507 with `Retry-After`).
    case storage(StorageFault)
}

/// Admits and starts chat turns: plans the request, takes the guards, stores the user message and an empty
/// answer, and hands back a ``ChatTurn`` for the caller to run on its own task.
public final class ChatService: Sendable {
    let repository: any ChatRepository
    /// Where a turn's reads before its write go (the conversation, the anchor) and the routes' ownership checks: in
    /// the web worker a repository on a second connection, so reads never queue behind the writes' commits (SQLite's
    /// WAL serves them meanwhile) nor wait a round trip behind another turn's write transaction (PostgreSQL);
    /// ``repository`` itself when none is given.
    let reader: any ChatRepository
    let upstream: any ChatUpstream
    let settings: @Sendable () -> ChatSettings
    let logger: Logger
    let workerPID: Int32
    let turns: TurnRegistry
    let guards: TurnGuards
    /// Prices and limits of a model, from the models catalog: the budget's worst case, the context window, and
    /// the cost for upstreams that report none (Ollama, llama.cpp, vLLM): price × tokens.
    let prices: @Sendable (String) async -> ModelInfo?
    /// The redactor whose secrets (the upstream key, in every form) are removed from everything the upstream
    /// sends before it is relayed, stored or logged; read at the start of each turn, so a reload applies to the
    /// next one.
    let redactor: @Sendable () -> Redactor
    /// Fetches the upstream's cost of answers that ended without one (nil: the upstream keeps no records).
    public let reconciler: CostReconciler?
    /// This process among the instances sharing a PostgreSQL database (nil on SQLite): its id is stored on every
    /// answer it streams, and other instances' stop requests reach it through it (ADR 0021).
    let presence: RunnerPresence?
    /// ``presence``'s runner id.
    public var runnerID: Int64? { presence?.runnerID }

    /// The budgets, checked before a turn starts; nil = no budget checks.
    public var budget: BudgetGuard? { guards.budget }
    /// The circuit breaker around the upstream (one per process); nil = none.
    public var breaker: CircuitBreaker? { guards.breaker }

    public init(repository: any ChatRepository, reader: (any ChatRepository)? = nil, upstream: any ChatUpstream, workerPID: Int32, logger: Logger,
                prices: @escaping @Sendable (String) async -> ModelInfo? = { _ in nil },
                budget: BudgetGuard? = nil, breaker: CircuitBreaker? = nil, reconciler: CostReconciler? = nil,
                presence: RunnerPresence? = nil, redactor: @escaping @Sendable () -> Redactor = { NTLogging.redactor },
                settings: @escaping @Sendable () -> ChatSettings) {
        self.repository = repository
        self.reader = reader ?? repository
        self.presence = presence
        self.reconciler = reconciler
        self.upstream = upstream
        self.workerPID = workerPID
        self.logger = logger
        self.prices = prices
        self.guards = TurnGuards(budget: budget, breaker: breaker)
        self.redactor = redactor
        self.settings = settings
        self.turns = TurnRegistry(repository: repository, presence: presence, flushInterval: { settings().flushInterval })
    }

    /// The repository for reads that need no snapshot with a write (ownership checks): ``reader``.
    public var readRepository: any ChatRepository { reader }

    /// Answers currently streaming in this process.
    public var activeTurns: Int { turns.count }

    /// Starts a turn. Before anything is stored: the request is planned (history trimmed to the context window,
    /// `max_tokens` decided), the breaker is asked and the worst case is checked against the budgets; a refusal
    /// throws and leaves no trace. Then the user message and an empty `streaming` answer are committed before this
    /// returns. The upstream is called when the caller runs the returned turn (``ChatTurn/run(emit:flush:)``).
    public func start(_ request: TurnRequest, logger: Logger) async throws(TurnRefusal) -> ChatTurn {
        // Each phase is a function of its own: an async function's frame holds every value live across any of its
        // suspensions, and a task keeps the memory of the deepest stack of frames it reached until it ends. One
        // function for the whole start made a 12.6 KB frame (ADR 0023).
        let prepared = try await prepare(request)
        // Among several instances: a runner whose session was lost (a database restart) is present again before its
        // turn is admitted, or the turn is refused; otherwise its reservation and answer would look dead elsewhere.
        if let presence, await !presence.ensurePresent() { throw .storage(.unavailable) }
        let admission = try await guards.admit(conversationID: prepared.conversationID, plan: prepared.plan, person: request.person, logger: logger)
        let rows = try await begin(request, prepared, admission: admission)
        guard let turn = register(request, prepared, rows: rows, admission: admission, logger: logger) else {
            await refuseSecond(rows: rows, admission: admission)
            throw .alreadyStreaming
        }
        return turn
    }

    /// What a turn's start read and decided before anything is admitted or stored.
    struct PreparedTurn {
        let conversationID: String
        let model: String
        let plan: TurnPlan
        let parentID: String?
        let settings: ChatSettings
    }

    /// Checks the request, reads the conversation and the path above the new message, and plans the upstream call.
    @inline(never)
    private func prepare(_ request: TurnRequest) async throws(TurnRefusal) -> PreparedTurn {
        if let content = request.content, content.trimmingWhitespace().isEmpty {
            throw .invalid("content must not be empty")
        }
        guard !turns.isActive(conversationID: request.conversationID) else { throw .alreadyStreaming }
        let settings = self.settings()
        do {
            let found: Conversation
            let anchor: TurnAnchor
            if let fresh = request.newConversation {
                // Created with the turn's first rows: there is nothing to read, and nothing above the first message.
                guard request.placement == .followLeaf else { throw TurnRefusal.invalid("a new conversation starts with a message") }
                found = fresh.conversation(id: request.conversationID, now: Identifiers.now())
                anchor = TurnAnchor(parentID: nil, history: [])
            } else {
                guard let stored = try await reader.conversation(id: request.conversationID) else { throw TurnRefusal.conversationNotFound }
                found = stored
                // Only the path above the new message reaches the upstream; other branches never do.
                anchor = try await reader.turnAnchor(conversationID: found.id, placement: request.placement)
            }
            let model = request.model ?? found.model ?? settings.defaultModel
            let plan = TurnPlan.make(
                model: model, systemPrompt: found.systemPrompt, history: anchor.history, newContent: request.content,
                requestedMaxTokens: request.maxTokens, defaultMaxTokens: settings.defaultMaxTokens,
                temperature: request.temperature, info: await prices(model)
            )
            return PreparedTurn(conversationID: found.id, model: model, plan: plan, parentID: anchor.parentID, settings: settings)
        } catch let store as ChatStoreError {
            throw TurnRefusal(store)
        } catch let refusal as TurnRefusal {
            throw refusal
        } catch {
            throw .storage(StorageFault(error))
        }
    }

    /// Commits the user message and the empty `streaming` answer (with the conversation, when the turn creates it);
    /// a failure gives the admission back.
    @inline(never)
    private func begin(_ request: TurnRequest, _ prepared: PreparedTurn, admission: TurnGuards.Admission) async throws(TurnRefusal) -> TurnRows {
        let rows: TurnRows
        do {
            rows = try await repository.beginTurn(
                conversationID: prepared.conversationID, parentID: prepared.parentID, userContent: request.content, model: prepared.model,
                requestID: request.requestID, workerPID: workerPID, runnerID: presence?.runnerID, creating: request.newConversation
            )
        } catch {
            guards.abandon(admission)
            if let store = error as? ChatStoreError { throw TurnRefusal(store) }
            throw .storage(StorageFault(error))
        }
        if rows.user != nil { Counter(label: "neural_terminal_chat_messages_total", dimensions: [("role", "user")]).increment() }
        return rows
    }

    /// The turn, registered as the conversation's streaming answer; nil when another request of the same
    /// conversation registered in the meantime.
    private func register(
        _ request: TurnRequest, _ prepared: PreparedTurn, rows: TurnRows, admission: TurnGuards.Admission, logger: Logger
    ) -> ChatTurn? {
        let control = TurnControl(conversationID: prepared.conversationID, messageID: rows.assistant.id)
        guard turns.register(control) else { return nil }
        let context = TurnContext(
            repository: repository, upstream: upstream, guards: guards, registry: turns, prices: prices,
            settings: prepared.settings, redactor: redactor(), logger: logger, reconciler: reconciler
        )
        return ChatTurn(context: context, control: control, plan: prepared.plan, request: request, rows: rows,
                        admission: admission, model: rows.assistant.model ?? prepared.settings.defaultModel)
    }

    /// A second request of a conversation that lost the race to register: refused before anything is sent
    /// upstream, its stored answer ends as stopped.
    @inline(never)
    private func refuseSecond(rows: TurnRows, admission: TurnGuards.Admission) async {
        var outcome = MessageOutcome(status: .stopped, content: "", reasoning: "")
        outcome.error = StopReason.clientGone.rawValue
        try? await repository.finish(messageID: rows.assistant.id, outcome: outcome)
        guards.abandon(admission)
    }

    /// Stops the conversation's streaming answer (and its upstream transfer); false when none is streaming.
    public func stop(conversationID: String, reason: StopReason = .user) -> Bool {
        turns.stop(conversationID: conversationID, reason: reason)
    }

    /// A live view of the conversation's streaming answer for a page that attaches to it (another tab, a reload):
    /// the turn's `meta`, then the text so far (`snapshot`), then its events to `done`. Nil when no answer of the
    /// conversation streams in this process (none at all, or another web worker's during a rolling restart:
    /// the page then reads the stored text, flushed every few hundred milliseconds).
    public func watch(conversationID: String) -> (meta: ChatEvent.Meta, events: AsyncStream<ChatEvent>)? {
        guard let control = turns.control(conversationID: conversationID), let meta = control.meta,
              let events = control.buffer.watch() else { return nil }
        return (meta, events)
    }

    /// Tells every page watching a streaming answer that the server is stopping (graceful shutdown).
    public func announceShutdown() {
        turns.announceAll("shutdown", message: "the server is shutting down; this answer ends soon and is kept as it is")
    }

    /// Stops every streaming answer (used when a graceful shutdown runs out of time).
    public func stopAll(reason: StopReason) {
        turns.stopAll(reason: reason)
    }

    /// Marks answers left `streaming` by a dead worker as `interrupted`; run when a web worker starts.
    public func recoverInterrupted(isAlive: @escaping @Sendable (Int32) -> Bool) async throws -> Int {
        try await repository.markInterrupted(isAlive: isAlive)
    }
}

extension TurnRefusal {
    /// The refusal of a turn the storage declined.
    init(_ error: ChatStoreError) {
        switch error {
        case .conversationNotFound: self = .conversationNotFound
        case .messageNotFound: self = .messageNotFound
        case .nothingToRegenerate: self = .nothingToRegenerate
        case .notAUserMessage: self = .invalid("edit_of must name a message the user wrote")
        case .notAnAnswer: self = .invalid("message_id must name an answer (an assistant message)")
        case .turnRunning: self = .alreadyStreaming
        }
    }
}

extension String {
    func trimmingWhitespace() -> Substring {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return s
    }
}
