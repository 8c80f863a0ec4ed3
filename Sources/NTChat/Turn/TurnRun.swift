import Logging
import Metrics
import NTLog
import NTOpenRouter

/// The life of one streaming answer, after its rows exist: call the upstream, relay and buffer each piece,
/// flush the partial text periodically, and write the final state whatever happens.
struct TurnRun: Sendable {
    let service: ChatService
    let conversation: Conversation
    let rows: TurnRows
    let plan: TurnPlan
    let guards: TurnGuards
    let request: TurnRequest
    let continuation: AsyncStream<ChatEvent>.Continuation
    let logger: Logger

    var model: String { rows.assistant.model ?? service.settings().defaultModel }

    /// How one upstream attempt ended.
    struct Attempt {
        var failure: UpstreamFailure?
        var sawDone = false
        /// Whether the upstream answered with a stream (status 200) or sent any item.
        var opened = false
        /// Whether any text or reasoning reached the client: from then on there is no retry.
        var relayed = false
    }

    func run() async {
        let buffer = AnswerBuffer()
        let started = ContinuousClock.now
        let active = Gauge(label: "chat_active_streams")
        active.record(service.activeTurns)
        continuation.yield(.meta(.init(
            conversationID: conversation.id, userMessageID: rows.user?.id, assistantMessageID: rows.assistant.id,
            requestID: request.requestID, model: model, trimmedMessages: plan.trimmed, maxTokens: plan.maxTokens
        )))
        let flusher = startFlusher(buffer)
        var outcome = MessageOutcome(status: .complete, content: "", reasoning: "")
        var firstToken: Duration?
        let retry = service.settings().retry
        var permit = guards.permit
        var retries = 0
        var attempt = Attempt()
        let redactor = service.redactor()
        while true {
            attempt = await stream(into: buffer, redactor: redactor, started: started,
                                   firstToken: &firstToken, outcome: &outcome)
            let stopped = isStopped
            if let permit { service.breaker?.record(permit, breakerOutcome(of: attempt, outcome: outcome, stopped: stopped)) }
            permit = nil
            guard !stopped, !attempt.relayed, let failure = attempt.failure,
                  let delay = retry.delay(beforeRetry: retries, after: failure) else { break }
            if let breaker = service.breaker, breaker.snapshot.state != .closed {
                logger.notice("retry skipped: the circuit breaker is not closed", metadata: ["code": "\(failure.code)"])
                break
            }
            logger.warning("upstream attempt failed; retrying", metadata: [
                "code": "\(failure.code)", "attempt": "\(retries + 1)", "delay_ms": "\(Self.milliseconds(delay))",
            ])
            try? await Task.sleep(for: delay)
            if isStopped { break }
            if let breaker = service.breaker {
                guard case .success(let granted) = breaker.acquire() else {
                    logger.notice("retry skipped: the circuit breaker refused it", metadata: ["code": "\(failure.code)"])
                    break
                }
                permit = granted
            }
            retries += 1
            Counter(label: "upstream_retries_total", dimensions: [("code", failure.code)]).increment()
            outcome.generationID = nil
            outcome.finishReason = nil
        }
        flusher.cancel()
        let elapsed = ContinuousClock.now - started
        let text = buffer.snapshot
        outcome.content = text.content
        outcome.reasoning = text.reasoning
        outcome.ttftMs = firstToken.map(Self.milliseconds)
        outcome.durationMs = Self.milliseconds(elapsed)
        let stopReason = service.turns.reason(conversationID: conversation.id)
        if Task.isCancelled || stopReason != nil {
            outcome.status = .stopped
            outcome.error = (stopReason ?? .clientGone).rawValue
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
        do {
            try await service.repository.finish(messageID: rows.assistant.id, outcome: outcome)
        } catch {
            logger.error("could not store the answer's final state", metadata: ["error": "\(error)"])
        }
        if let reservation = guards.reservation { await service.budget?.settle(reservation) }
        if outcome.status == .error {
            let f = attempt.failure ?? UpstreamFailure(code: "upstream_error", message: outcome.error ?? "upstream error", retryable: true)
            Counter(label: "upstream_errors_total", dimensions: [("code", f.code)]).increment()
            continuation.yield(.error(code: f.code, message: f.message, retryable: f.retryable))
        }
        continuation.yield(.done(status: outcome.status, finishReason: outcome.finishReason))
        active.record(max(0, service.activeTurns - 1))
        Counter(label: "chat_messages_total", dimensions: [("role", "assistant")]).increment()
        Metrics.Timer(label: "upstream_duration_seconds", dimensions: [("model", model)]).record(duration: elapsed)
        if let firstToken {
            Metrics.Timer(label: "upstream_ttft_seconds", dimensions: [("model", model)]).record(duration: firstToken)
        }
        logTurn(outcome, retries: retries)
    }

    /// Whether the user stopped the turn or the client went away.
    private var isStopped: Bool { Task.isCancelled || service.turns.reason(conversationID: conversation.id) != nil }

    /// One upstream request: redacts, relays and buffers each piece, records usage. Text the redaction held back
    /// (a possible start of the key) is relayed when the stream ends, however it ends.
    private func stream(into buffer: AnswerBuffer, redactor: Redactor, started: ContinuousClock.Instant,
                        firstToken: inout Duration?, outcome: inout MessageOutcome) async -> Attempt {
        var attempt = Attempt()
        var redaction = UpstreamRedaction(redactor)
        events: for await upstreamEvent in service.upstream.stream(UpstreamChatRequest(body: plan.body, requestID: request.requestID)) {
            switch redaction.clean(upstreamEvent) {
            case .opened(let generationID):
                attempt.opened = true
                outcome.generationID = generationID
            case .item(.started(let id, _, _)):
                attempt.opened = true
                if outcome.generationID == nil { outcome.generationID = id }
            case .item(.content(let text)):
                attempt.opened = true
                if firstToken == nil { firstToken = ContinuousClock.now - started }
                relay(text, reasoning: false, into: buffer, attempt: &attempt)
            case .item(.reasoning(let text)):
                attempt.opened = true
                if firstToken == nil { firstToken = ContinuousClock.now - started }
                relay(text, reasoning: true, into: buffer, attempt: &attempt)
            case .item(.finished(let reason, _)):
                outcome.finishReason = reason
            case .item(.usage(let usage)):
                let cost: Double?
                if let reported = usage.cost { cost = reported } else { cost = await service.prices(model)?.cost(usage: usage) }
                await record(usage, cost: cost, into: &outcome)
            case .item(.upstreamError(let error)):
                attempt.failure = UpstreamFailure(
                    code: "upstream_\(error.code)", message: error.message, httpStatus: error.httpStatus,
                    retryable: error.httpStatus.map { $0 >= 500 || $0 == 408 || $0 == 429 } ?? true
                )
            case .item(.done):
                attempt.sawDone = true
            case .item(.malformed(let detail)):
                attempt.failure = UpstreamFailure(code: "upstream_malformed", message: "the upstream sent an unreadable event: \(detail)", retryable: true)
                break events
            case .end(let end):
                if attempt.failure == nil { attempt.failure = end }
            }
        }
        let rest = redaction.finish()
        relay(rest.reasoning, reasoning: true, into: buffer, attempt: &attempt)
        relay(rest.content, reasoning: false, into: buffer, attempt: &attempt)
        return attempt
    }

    /// Buffers and sends a piece of answer or reasoning text; an empty piece (all of it held back) is skipped.
    private func relay(_ text: String, reasoning: Bool, into buffer: AnswerBuffer, attempt: inout Attempt) {
        guard !text.isEmpty else { return }
        attempt.relayed = true
        if reasoning {
            buffer.append(reasoning: text)
            continuation.yield(.reasoning(text))
        } else {
            buffer.append(content: text)
            continuation.yield(.delta(text))
        }
    }

    /// What an attempt says about the upstream's health (see ``CircuitBreaker/counts(_:)``).
    private func breakerOutcome(of attempt: Attempt, outcome: MessageOutcome, stopped: Bool) -> BreakerOutcome {
        if stopped { return attempt.opened ? .success : .ignored }
        if let failure = attempt.failure { return CircuitBreaker.counts(failure) ? .failure : .ignored }
        if outcome.finishReason == "error" || (!attempt.sawDone && outcome.finishReason == nil) { return .failure }
        return .success
    }

    /// Stores the usage; `cost` is OpenRouter's `usage.cost`, or price × tokens when the upstream sent none. The
    /// usage event says whether spend, this answer included, reached a budget's warning share.
    private func record(_ usage: Usage, cost: Double?, into outcome: inout MessageOutcome) async {
        outcome.promptTokens = usage.promptTokens
        outcome.completionTokens = usage.completionTokens
        outcome.reasoningTokens = usage.reasoningTokens
        outcome.cachedTokens = usage.cachedTokens
        outcome.costUSD = cost
        for (kind, count) in [("prompt", usage.promptTokens), ("completion", usage.completionTokens), ("reasoning", usage.reasoningTokens ?? 0)] where count > 0 {
            Counter(label: "chat_tokens_total", dimensions: [("model", model), ("kind", kind)]).increment(by: count)
        }
        if let cost {
            FloatingPointCounter(label: "chat_cost_usd_total", dimensions: [("model", model)]).increment(by: cost)
        }
        let warning = await service.budget?.isWarning(conversationID: conversation.id, pendingUSD: cost ?? 0) ?? false
        continuation.yield(.usage(.init(
            promptTokens: usage.promptTokens, completionTokens: usage.completionTokens,
            reasoningTokens: usage.reasoningTokens ?? 0, costUSD: cost, budgetWarning: warning
        )))
    }

    /// Writes the text received so far every `flushInterval`, so a crash loses at most that much.
    private func startFlusher(_ buffer: AnswerBuffer) -> Task<Void, Never> {
        let interval = service.settings().flushInterval
        let repository = service.repository
        let id = rows.assistant.id
        return Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if let text = buffer.takeIfDirty() {
                    try? await repository.saveProgress(messageID: id, content: text.content, reasoning: text.reasoning)
                }
            }
        }
    }

    private func logTurn(_ outcome: MessageOutcome, retries: Int) {
        logger.info(
            "chat turn",
            metadata: [
                "conversation_id": "\(conversation.id)", "message_id": "\(rows.assistant.id)", "model": "\(model)",
                "status": "\(outcome.status.rawValue)", "finish_reason": "\(outcome.finishReason ?? "")",
                "prompt_tokens": "\(outcome.promptTokens ?? 0)", "completion_tokens": "\(outcome.completionTokens ?? 0)",
                "reasoning_tokens": "\(outcome.reasoningTokens ?? 0)", "cost_usd": "\(outcome.costUSD ?? 0)",
                "ttft_ms": "\(outcome.ttftMs ?? -1)", "duration_ms": "\(outcome.durationMs ?? 0)",
                "error": "\(outcome.error ?? "")", "retries": "\(retries)", "max_tokens": "\(plan.maxTokens)",
                "trimmed_messages": "\(plan.trimmed)",
            ]
        )
    }

    static func milliseconds(_ d: Duration) -> Int {
        Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
    }
}
