import Logging
import Metrics
import NTLog
import NTOpenRouter
import NTStorage
import Synchronization

/// A started turn: its user message and empty `streaming` answer are stored, its guards taken. The caller runs it
/// once, with ``run(emit:flush:)``, on the task that writes to the client: the upstream's bytes are parsed,
/// redacted, buffered and handed to `emit` on that task, in the batches they arrived in, with one `flush` per
/// batch. There is no task of the turn's own and no queue between the upstream and the client.
///
/// A turn that is released without being run is ended as if its client had gone away (stored as `stopped`).
public final class ChatTurn: Sendable {
    let context: TurnContext
    let control: TurnControl
    let plan: TurnPlan
    let request: TurnRequest
    let rows: TurnRows
    let admission: TurnGuards.Admission
    /// The model answering (the request's, the conversation's, or the default).
    public let model: String
    private let started = Atomic<Bool>(false)
    /// The first attempt's call, sent when the turn was admitted: the upstream connects while the response head
    /// goes out. Taken by the first attempt; cancelled if the turn is never run.
    private let firstCall: Mutex<(any UpstreamCall)?>

    init(context: TurnContext, control: TurnControl, plan: TurnPlan, request: TurnRequest, rows: TurnRows,
         admission: TurnGuards.Admission, model: String) {
        self.context = context
        self.control = control
        self.plan = plan
        self.request = request
        self.rows = rows
        self.admission = admission
        self.model = model
        firstCall = Mutex(context.upstream.call(UpstreamChatRequest(body: plan.body, requestID: request.requestID)))
    }

    deinit {
        guard !started.load(ordering: .acquiring) else { return }
        firstCall.withLock { $0?.cancel() }
        let (context, control, admission, id) = (context, control, admission, rows.assistant.id)
        Task {
            var outcome = MessageOutcome(status: .stopped, content: "", reasoning: "")
            outcome.error = StopReason.clientGone.rawValue
            try? await context.repository.finish(messageID: id, outcome: outcome)
            context.guards.abandon(admission)
            context.registry.unregister(control)
        }
    }

    /// The first event of every turn: the ids of what it created.
    public var meta: ChatEvent.Meta {
        var meta = ChatEvent.Meta(
            conversationID: control.conversationID, userMessageID: rows.user?.id, assistantMessageID: rows.assistant.id,
            requestID: request.requestID, model: model, trimmedMessages: plan.trimmed, maxTokens: plan.maxTokens
        )
        meta.parentID = rows.assistant.parentID
        meta.trimmedMessageIDs = plan.trimmedIDs
        meta.promptTokens = plan.promptTokens
        meta.contextLength = plan.contextLength
        return meta
    }

    /// How one upstream attempt ended.
    struct Attempt {
        var failure: UpstreamFailure?
        var sawDone = false
        /// Whether the upstream answered with a stream (status 200) or sent any item.
        var opened = false
        /// Whether any text or reasoning reached the client: from then on there is no retry.
        var relayed = false
    }

    /// Runs the turn to its stored end: call the upstream (retrying before the first token), relay each piece
    /// through `emit`, and `flush` after each batch. When `flush` throws, the client is gone: the answer goes on
    /// without it, to its end, stored, and followed by any page that attaches (``ChatService/watch(conversationID:)``).
    /// Only a stop (a user's, a deleted conversation, a shutdown) or cancelling the calling task ends it early,
    /// stored as `stopped`. Returns once the final state is stored and `done` was emitted. Runs once; later calls
    /// return at once.
    public func run(emit clientEmit: (ChatEvent) -> Void, flush: () async throws -> Void) async {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let control = self.control
        /// Every event goes to the starting client while it is there; events other than text (which the answer
        /// buffer hands out as it is appended) also go to the pages watching.
        func emit(_ event: ChatEvent) {
            switch event {
            case .delta, .reasoning, .meta, .snapshot: break
            case .usage, .done, .error, .notice, .keepAlive: control.buffer.broadcast(event)
            }
            if control.isAttached { clientEmit(event) }
        }
        let started = ContinuousClock.now
        var admission = self.admission
        var outcome = MessageOutcome(status: .complete, content: "", reasoning: "")
        var firstToken: Duration?
        var retries = 0
        var attempt = Attempt()
        let active = Gauge(label: "neural_terminal_chat_active_streams")
        active.record(context.registry.count)
        control.meta = meta
        emit(.meta(meta))
        await send(flush)
        await withTaskCancellationHandler {
            while true {
                attempt = await self.attempt(started: started, firstToken: &firstToken, outcome: &outcome, emit: emit, flush: flush)
                let stopped = control.reason != nil
                context.guards.record(&admission, breakerOutcome(of: attempt, outcome: outcome, stopped: stopped))
                guard !stopped, !attempt.relayed, let failure = attempt.failure,
                      let delay = context.settings.retry.delay(beforeRetry: retries, after: failure),
                      context.guards.permitRetry(&admission, code: failure.code, logger: context.logger) else { break }
                context.logger.warning("upstream attempt failed; retrying", metadata: [
                    "code": "\(failure.code)", "attempt": "\(retries + 1)", "delay_ms": "\(Self.milliseconds(delay))",
                ])
                await control.pause(for: delay)
                if control.reason != nil {
                    context.guards.record(&admission, .ignored)
                    break
                }
                retries += 1
                Counter(label: "neural_terminal_upstream_retries_total", dimensions: [("code", failure.metricCode)]).increment()
                outcome.generationID = nil
                outcome.finishReason = nil
            }
        } onCancel: {
            control.stop(.clientGone)
        }
        let elapsed = ContinuousClock.now - started
        let text = control.buffer.snapshot
        outcome.content = text.content
        outcome.reasoning = text.reasoning
        outcome.ttftMs = firstToken.map(Self.milliseconds)
        outcome.durationMs = Self.milliseconds(elapsed)
        conclude(&outcome, attempt: attempt)
        if outcome.promptTokens == nil, attempt.opened || !text.content.isEmpty || !text.reasoning.isEmpty {
            // The upstream took the request but sent no usage (stopped, cut, failed, or a server that never does):
            // what it generated is billed all the same.
            await estimateCost(into: &outcome, emit: emit)
        }
        let (repository, id, final) = (context.repository, rows.assistant.id, outcome)
        let storeError = await offLoop { () async -> (any Error)? in
            do { try await repository.finish(messageID: id, outcome: final) } catch { return error }
            return nil
        }
        if let storeError {
            context.logger.error("could not store the answer's final state; retrying in the background", metadata: [
                "message_id": "\(id)", "status": "\(final.status.rawValue)", "error": "\(storeError)",
            ])
            LateFinish.keepTrying(repository, messageID: id, outcome: final, logger: context.logger)
        } else if final.costSource != .reported, let generationID = final.generationID {
            context.reconciler?.reconcile(messageID: id, generationID: generationID, model: model)
        }
        Counter(label: "neural_terminal_chat_answers_total", dimensions: [("cost_source", final.costSource?.rawValue ?? "none")]).increment()
        let guards = context.guards
        admission = await offLoop { [admission] in
            var settled = admission
            await guards.settle(&settled)
            return settled
        }
        if let storeError {
            // The client must not take the answer for stored: it is told why, and the answer ends as an error.
            let fault = StorageFault(storeError)
            emit(.error(code: "storage_\(fault.rawValue)", message: Self.unstoredMessage(fault), retryable: true))
        } else if outcome.status == .error {
            let f = attempt.failure ?? UpstreamFailure(code: "upstream_error", message: outcome.error ?? "upstream error", retryable: true)
            Counter(label: "neural_terminal_upstream_errors_total", dimensions: [("code", f.metricCode)]).increment()
            emit(.error(code: f.code, message: f.message, retryable: f.retryable))
        }
        if outcome.status == .stopped, storeError == nil, let reason = outcome.error {
            // Why, for every page showing the answer (the stored row says it too).
            emit(.notice(kind: "stopped", message: reason))
        }
        // Unregister before the client sees the end, so its next turn is never refused as concurrent.
        context.registry.unregister(control)
        emit(.done(status: storeError == nil ? outcome.status : .error, finishReason: outcome.finishReason))
        control.buffer.endWatchers()
        await send(flush)
        active.record(context.registry.count)
        Counter(label: "neural_terminal_chat_messages_total", dimensions: [("role", "assistant")]).increment()
        Metrics.Timer(label: "neural_terminal_upstream_duration_seconds", dimensions: [("model", model)]).record(duration: elapsed)
        if let firstToken {
            Metrics.Timer(label: "neural_terminal_upstream_ttft_seconds", dimensions: [("model", model)]).record(duration: firstToken)
        }
        logTurn(outcome, retries: retries)
    }

    /// One upstream request: pulls its events in batches, redacts, relays and buffers each piece, records usage,
    /// flushes once per batch. Text the redaction held back (a possible start of the key) is relayed when the
    /// stream ends, however it ends.
    private func attempt(started: ContinuousClock.Instant, firstToken: inout Duration?, outcome: inout MessageOutcome,
                         emit: (ChatEvent) -> Void, flush: () async throws -> Void) async -> Attempt {
        var attempt = Attempt()
        var redaction = UpstreamRedaction(context.redactor)
        let call = firstCall.withLock { $0.take() } ?? context.upstream.call(UpstreamChatRequest(body: plan.body, requestID: request.requestID))
        control.attach(call)
        defer { control.attach(nil) }
        var events: [UpstreamEvent] = []
        var ended = false
        while !ended {
            events.removeAll(keepingCapacity: true)
            await call.next(into: &events)
            var sent = false
            if events.isEmpty {
                for notice in control.takeNotices() {
                    emit(notice)
                    sent = true
                }
                if control.takeKeepAliveDue() {
                    emit(.keepAlive)
                    sent = true
                }
            }
            for event in events {
                switch redaction.clean(event) {
                case .opened(let generationID):
                    attempt.opened = true
                    outcome.generationID = generationID
                case .item(.started(let id, _, _)):
                    attempt.opened = true
                    if outcome.generationID == nil { outcome.generationID = id }
                case .item(.content(let text)):
                    attempt.opened = true
                    if firstToken == nil { firstToken = ContinuousClock.now - started }
                    sent = relay(text, reasoning: false, attempt: &attempt, emit: emit) || sent
                case .item(.reasoning(let text)):
                    attempt.opened = true
                    if firstToken == nil { firstToken = ContinuousClock.now - started }
                    sent = relay(text, reasoning: true, attempt: &attempt, emit: emit) || sent
                case .item(.finished(let reason, _)):
                    outcome.finishReason = reason
                case .item(.usage(let usage)):
                    await record(usage, into: &outcome, emit: emit)
                    sent = true
                case .item(.upstreamError(let error)):
                    attempt.failure = UpstreamFailure(
                        code: "upstream_\(error.code)", message: error.message, httpStatus: error.httpStatus,
                        retryable: error.httpStatus.map(UpstreamErrorBody.isRetryable(status:)) ?? true
                    )
                case .item(.done):
                    attempt.sawDone = true
                case .item(.malformed(let detail)):
                    attempt.failure = UpstreamFailure(code: "upstream_malformed", message: "the upstream sent an unreadable event: \(detail)", retryable: true)
                    call.cancel()
                    ended = true
                case .end(let end):
                    if attempt.failure == nil { attempt.failure = end }
                    ended = true
                }
                if ended { break }
            }
            if sent { await send(flush) }
        }
        let rest = redaction.finish()
        let held = relay(rest.reasoning, reasoning: true, attempt: &attempt, emit: emit)
        if relay(rest.content, reasoning: false, attempt: &attempt, emit: emit) || held { await send(flush) }
        return attempt
    }

    /// Buffers and emits a piece of answer or reasoning text; an empty piece (all of it held back) is skipped.
    private func relay(_ text: String, reasoning: Bool, attempt: inout Attempt, emit: (ChatEvent) -> Void) -> Bool {
        guard !text.isEmpty else { return false }
        attempt.relayed = true
        if reasoning {
            control.buffer.append(reasoning: text)
            emit(.reasoning(text))
        } else {
            control.buffer.append(content: text)
            emit(.delta(text))
        }
        return true
    }

    /// Flushes what was emitted; a failed write means the starting client is gone: the turn goes on without it.
    private func send(_ flush: () async throws -> Void) async {
        guard control.isAttached else { return }
        do {
            try await flush()
            control.markSent()
        } catch {
            control.detach()
            context.logger.info("the client went away; the answer goes on", metadata: ["message_id": "\(rows.assistant.id)"])
        }
    }

    /// The final status: stopped (and why), the upstream's failure, or a stream that ended without finishing.
    private func conclude(_ outcome: inout MessageOutcome, attempt: Attempt) {
        if let reason = control.reason {
            outcome.status = .stopped
            outcome.error = reason.rawValue
        } else if let failure = attempt.failure {
            outcome.status = .error
            outcome.error = failure.message
        } else if outcome.finishReason == "error" {
            outcome.status = .error
            outcome.error = "the upstream ended the answer with finish_reason \"error\""
        } else if !attempt.sawDone && outcome.finishReason == nil {
            outcome.status = .error
            outcome.error = "the upstream stream ended without a finish reason"
        }
    }

    /// What an attempt says about the upstream's and the model's health (see ``CircuitBreaker/outcome(of:)``).
    private func breakerOutcome(of attempt: Attempt, outcome: MessageOutcome, stopped: Bool) -> BreakerOutcome {
        if stopped { return attempt.opened ? .success : .ignored }
        if let failure = attempt.failure { return CircuitBreaker.outcome(of: failure) }
        if outcome.finishReason == "error" || (!attempt.sawDone && outcome.finishReason == nil) { return .failure }
        return .success
    }

    /// Stores the usage: OpenRouter's `usage.cost`, or price × tokens when the upstream sent none. The usage event
    /// says whether spend, this answer included, reached a budget's warning share.
    private func record(_ usage: Usage, into outcome: inout MessageOutcome, emit: (ChatEvent) -> Void) async {
        let cost: Double?
        if let reported = usage.cost {
            cost = reported
        } else {
            let (prices, model) = (context.prices, model)
            cost = await offLoop { await prices(model)?.cost(usage: usage) }
        }
        outcome.promptTokens = usage.promptTokens
        outcome.completionTokens = usage.completionTokens
        outcome.reasoningTokens = usage.reasoningTokens
        outcome.cachedTokens = usage.cachedTokens
        outcome.costUSD = cost
        outcome.costSource = cost == nil ? nil : .reported
        for (kind, count) in [("prompt", usage.promptTokens), ("completion", usage.completionTokens), ("reasoning", usage.reasoningTokens ?? 0)] where count > 0 {
            Counter(label: "neural_terminal_chat_tokens_total", dimensions: [("model", model), ("kind", kind)]).increment(by: count)
        }
        if let cost {
            FloatingPointCounter(label: "neural_terminal_chat_cost_usd_total", dimensions: [("model", model)]).increment(by: cost)
        }
        let (guards, conversationID, person) = (context.guards, control.conversationID, admission.person)
        let warning = await offLoop { await guards.isWarning(conversationID: conversationID, person: person, pendingUSD: cost ?? 0) }
        emit(.usage(.init(
            promptTokens: usage.promptTokens, completionTokens: usage.completionTokens,
            reasoningTokens: usage.reasoningTokens ?? 0, costUSD: cost, costSource: outcome.costSource, budgetWarning: warning
        )))
    }

    /// What the client is told when the answer it received could not be stored.
    static func unstoredMessage(_ fault: StorageFault) -> String {
        "the answer could not be stored: \(fault.reason). The server keeps trying to store it; "
            + "if it restarts first, only the part saved before this is kept"
    }

    private func logTurn(_ outcome: MessageOutcome, retries: Int) {
        context.logger.info(
            "chat turn",
            metadata: [
                "conversation_id": "\(control.conversationID)", "message_id": "\(rows.assistant.id)", "model": "\(model)",
                "status": "\(outcome.status.rawValue)", "finish_reason": "\(outcome.finishReason ?? "")",
                "prompt_tokens": "\(outcome.promptTokens ?? 0)", "completion_tokens": "\(outcome.completionTokens ?? 0)",
                "reasoning_tokens": "\(outcome.reasoningTokens ?? 0)", "cost_usd": "\(outcome.costUSD ?? 0)",
                "ttft_ms": "\(outcome.ttftMs ?? -1)", "duration_ms": "\(outcome.durationMs ?? 0)",
                "error": "\(outcome.error ?? "")", "retries": "\(retries)", "max_tokens": "\(plan.maxTokens)",
                "trimmed_messages": "\(plan.trimmed)",
            ]
        )
    }

    /// Runs storage work (SQLite blocks) on Swift's global pool, off the event loop the turn runs on, which
    /// serves every other connection of that loop meanwhile.
    func offLoop<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        await withTaskExecutorPreference(globalConcurrentExecutor) { await body() }
    }

    static func milliseconds(_ d: Duration) -> Int {
        Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// What a turn needs from the service that started it, captured once at the start.
struct TurnContext: Sendable {
    let repository: any ChatRepository
    let upstream: any ChatUpstream
    let guards: TurnGuards
    let registry: TurnRegistry
    let prices: @Sendable (String) async -> ModelInfo?
    let settings: ChatSettings
    let redactor: Redactor
    let logger: Logger
    /// Fetches the upstream's cost of answers that ended without one; nil when the upstream keeps no such record.
    let reconciler: CostReconciler?
}

extension ChatTurn: AsyncSequence {
    public typealias Element = ChatEvent
    public typealias Failure = Never

    /// For callers that want the events as a stream (tests, tools): runs the turn in a task of its own. Ending the
    /// iteration early stops the turn as if the client had gone away.
    public func makeAsyncIterator() -> AsyncStream<ChatEvent>.Iterator {
        let (stream, continuation) = AsyncStream.makeStream(of: ChatEvent.self)
        continuation.onTermination = { [control] termination in
            if case .cancelled = termination { control.stop(.clientGone) }
        }
        Task {
            await self.run(emit: { continuation.yield($0) }, flush: {})
            continuation.finish()
        }
        return stream.makeAsyncIterator()
    }
}
