import Logging
import Metrics
import NTOpenRouter

/// The life of one streaming answer, after its rows exist: call the upstream, relay and buffer each piece,
/// flush the partial text periodically, and write the final state whatever happens.
struct TurnRun: Sendable {
    let service: ChatService
    let conversation: Conversation
    let rows: TurnRows
    let history: [Message]
    let request: TurnRequest
    let continuation: AsyncStream<ChatEvent>.Continuation
    let logger: Logger

    var model: String { rows.assistant.model ?? service.settings().defaultModel }

    func run() async {
        let buffer = AnswerBuffer()
        let started = ContinuousClock.now
        let active = Gauge(label: "chat_active_streams")
        active.record(service.activeTurns)
        continuation.yield(.meta(.init(
            conversationID: conversation.id, userMessageID: rows.user?.id, assistantMessageID: rows.assistant.id,
            requestID: request.requestID, model: model
        )))
        let flusher = startFlusher(buffer)
        var outcome = MessageOutcome(status: .complete, content: "", reasoning: "")
        var failure: UpstreamFailure?
        var firstToken: Duration?
        var sawDone = false

        events: for await event in service.upstream.stream(upstreamRequest()) {
            switch event {
            case .opened(let generationID):
                outcome.generationID = generationID
            case .item(.started(let id, _, _)):
                if outcome.generationID == nil { outcome.generationID = id }
            case .item(.content(let text)):
                if firstToken == nil { firstToken = ContinuousClock.now - started }
                buffer.append(content: text)
                continuation.yield(.delta(text))
            case .item(.reasoning(let text)):
                if firstToken == nil { firstToken = ContinuousClock.now - started }
                buffer.append(reasoning: text)
                continuation.yield(.reasoning(text))
            case .item(.finished(let reason, _)):
                outcome.finishReason = reason
            case .item(.usage(let usage)):
                let cost: Double?
                if let reported = usage.cost { cost = reported } else { cost = await service.prices(model)?.cost(usage: usage) }
                record(usage, cost: cost, into: &outcome)
            case .item(.upstreamError(let error)):
                failure = UpstreamFailure(
                    code: "upstream_\(error.code)", message: error.message, httpStatus: error.httpStatus,
                    retryable: error.httpStatus.map { $0 >= 500 || $0 == 408 || $0 == 429 } ?? true
                )
            case .item(.done):
                sawDone = true
            case .item(.malformed(let detail)):
                failure = UpstreamFailure(code: "upstream_malformed", message: "the upstream sent an unreadable event: \(detail)", retryable: true)
                break events
            case .end(let end):
                if failure == nil { failure = end }
            }
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
        } else if let failure {
            outcome.status = .error
            outcome.error = failure.message
        } else if outcome.finishReason == "error" {
            outcome.status = .error
            outcome.error = "the upstream ended the answer with finish_reason \"error\""
        } else if !sawDone && outcome.finishReason == nil {
            outcome.status = .error
            outcome.error = "the upstream stream ended without a finish reason"
        }
        do {
            try await service.repository.finish(messageID: rows.assistant.id, outcome: outcome)
        } catch {
            logger.error("could not store the answer's final state", metadata: ["error": "\(error)"])
        }
        if outcome.status == .error {
            let f = failure ?? UpstreamFailure(code: "upstream_error", message: outcome.error ?? "upstream error", retryable: true)
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
        logTurn(outcome)
    }

    /// Stores the usage; `cost` is OpenRouter's `usage.cost`, or price × tokens when the upstream sent none.
    private func record(_ usage: Usage, cost: Double?, into outcome: inout MessageOutcome) {
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
        continuation.yield(.usage(.init(
            promptTokens: usage.promptTokens, completionTokens: usage.completionTokens,
            reasoningTokens: usage.reasoningTokens ?? 0, costUSD: cost
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

    private func upstreamRequest() -> UpstreamChatRequest {
        var messages: [ChatMessage] = []
        if let system = conversation.systemPrompt, !system.isEmpty {
            messages.append(ChatMessage(role: .system, content: system))
        }
        for message in history where message.role != .system {
            guard message.role == .user || !message.content.isEmpty else { continue }
            messages.append(ChatMessage(role: ChatMessage.Role(rawValue: message.role.rawValue) ?? .user, content: message.content))
        }
        var body = ChatCompletionRequest(model: model, messages: messages)
        body.maxTokens = request.maxTokens
        body.temperature = request.temperature
        return UpstreamChatRequest(body: body, requestID: request.requestID)
    }

    private func logTurn(_ outcome: MessageOutcome) {
        logger.info(
            "chat turn",
            metadata: [
                "conversation_id": "\(conversation.id)", "message_id": "\(rows.assistant.id)", "model": "\(model)",
                "status": "\(outcome.status.rawValue)", "finish_reason": "\(outcome.finishReason ?? "")",
                "prompt_tokens": "\(outcome.promptTokens ?? 0)", "completion_tokens": "\(outcome.completionTokens ?? 0)",
                "reasoning_tokens": "\(outcome.reasoningTokens ?? 0)", "cost_usd": "\(outcome.costUSD ?? 0)",
                "ttft_ms": "\(outcome.ttftMs ?? -1)", "duration_ms": "\(outcome.durationMs ?? 0)",
                "error": "\(outcome.error ?? "")",
            ]
        )
    }

    static func milliseconds(_ d: Duration) -> Int {
        Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
    }
}
