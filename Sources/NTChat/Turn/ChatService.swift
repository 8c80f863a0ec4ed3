import Logging
import Metrics
import NTOpenRouter

/// What a client asks for: a new message (or a regeneration of the last answer) in a conversation.
public struct TurnRequest: Sendable {
    public var conversationID: String
    /// The user's message; nil to regenerate the last answer.
    public var content: String?
    public var model: String?
    public var maxTokens: Int?
    public var temperature: Double?
    public var requestID: String

    public init(conversationID: String, content: String?, model: String? = nil, maxTokens: Int? = nil,
                temperature: Double? = nil, requestID: String) {
        self.conversationID = conversationID
        self.content = content
        self.model = model
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.requestID = requestID
    }
}

/// Settings the chat domain reads from the config at the start of each turn.
public struct ChatSettings: Sendable {
    public var defaultModel: String
    /// How often the partial answer is written to the database while it streams.
    public var flushInterval: Duration

    public init(defaultModel: String, flushInterval: Duration = .milliseconds(250)) {
        self.defaultModel = defaultModel
        self.flushInterval = flushInterval
    }
}

/// Why a turn could not start; the API maps each to an HTTP status before any stream opens.
public enum TurnRefusal: Error, Sendable, Equatable {
    case conversationNotFound
    case alreadyStreaming
    case nothingToRegenerate
    case invalid(String)
}

/// One chat turn from request to stored answer (GUIDE §3): persist first, then stream, relay, flush, finish.
public final class ChatService: Sendable {
    let repository: any ChatRepository
    let upstream: any ChatUpstream
    let settings: @Sendable () -> ChatSettings
    let logger: Logger
    let workerPID: Int32
    let turns = TurnRegistry()
    /// Prices of a model, for upstreams that report no `cost` (Ollama, llama.cpp, vLLM): price × tokens.
    let prices: @Sendable (String) async -> ModelInfo?

    public init(repository: any ChatRepository, upstream: any ChatUpstream, workerPID: Int32, logger: Logger,
                prices: @escaping @Sendable (String) async -> ModelInfo? = { _ in nil },
                settings: @escaping @Sendable () -> ChatSettings) {
        self.repository = repository
        self.upstream = upstream
        self.workerPID = workerPID
        self.logger = logger
        self.prices = prices
        self.settings = settings
    }

    /// Answers currently streaming in this process.
    public var activeTurns: Int { turns.count }

    /// Starts a turn: the user message and an empty `streaming` answer are committed before this returns, then
    /// the upstream is called in a task of its own. Ending iteration of the returned stream (the client went
    /// away) stops the turn and the upstream transfer.
    public func start(_ request: TurnRequest, logger: Logger) async throws(TurnRefusal) -> AsyncStream<ChatEvent> {
        if let content = request.content, content.trimmingWhitespace().isEmpty {
            throw .invalid("content must not be empty")
        }
        guard !turns.isActive(conversationID: request.conversationID) else { throw .alreadyStreaming }
        let conversation: Conversation
        let rows: TurnRows
        let history: [Message]
        do {
            guard let found = try await repository.conversation(id: request.conversationID) else { throw TurnRefusal.conversationNotFound }
            conversation = found
            let model = request.model ?? found.model ?? settings().defaultModel
            rows = try await repository.beginTurn(
                conversationID: found.id, userContent: request.content, model: model, requestID: request.requestID,
                workerPID: workerPID, replacingLastAnswer: request.content == nil
            )
            history = try await repository.messages(conversationID: found.id).filter { $0.id != rows.assistant.id }
        } catch let refusal as TurnRefusal {
            throw refusal
        } catch ChatStoreError.conversationNotFound {
            throw .conversationNotFound
        } catch ChatStoreError.nothingToRegenerate {
            throw .nothingToRegenerate
        } catch {
            throw .invalid("storage error: \(error)")
        }
        if rows.user != nil { Counter(label: "chat_messages_total", dimensions: [("role", "user")]).increment() }

        let (stream, continuation) = AsyncStream.makeStream(of: ChatEvent.self, bufferingPolicy: .unbounded)
        let turn = TurnRun(
            service: self, conversation: conversation, rows: rows, history: history, request: request,
            continuation: continuation, logger: logger
        )
        let task = Task { await turn.run() }
        guard let token = turns.register(conversationID: conversation.id, task: task) else {
            task.cancel()
            throw .alreadyStreaming
        }
        let conversationID = conversation.id
        continuation.onTermination = { [turns] termination in
            if case .cancelled = termination { _ = turns.stop(conversationID: conversationID, reason: .clientGone) }
        }
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(15))
                if !Task.isCancelled { continuation.yield(.keepAlive) }
            }
        }
        Task {
            await task.value
            heartbeat.cancel()
            // Unregister before the client sees the end, so its next turn is never refused as concurrent.
            self.turns.unregister(conversationID: conversationID, token: token)
            continuation.finish()
        }
        return stream
    }

    /// Stops the conversation's streaming answer (and its upstream transfer); false when none is streaming.
    public func stop(conversationID: String, reason: StopReason = .user) -> Bool {
        turns.stop(conversationID: conversationID, reason: reason)
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

extension String {
    func trimmingWhitespace() -> Substring {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return s
    }
}
