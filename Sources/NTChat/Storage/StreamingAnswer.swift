/// An answer streaming somewhere (this process, another web worker, another instance), as the database has it.
public struct StreamingAnswer: Sendable, Equatable {
    public let messageID: String
    public let conversationID: String
    /// The message it answers.
    public let parentID: String?
    public let requestID: String
    public let model: String?
    /// The runner streaming it (PostgreSQL; nil on SQLite or for a row older than runners).
    public let runnerID: Int64?
    /// Whether whoever streams it is alive: its runner's lock is held (PostgreSQL), or its worker process runs on
    /// this host (SQLite).
    public let alive: Bool
}

/// The stored state of an answer a page follows from the database, past what it has already received.
public struct AnswerProgress: Sendable, Equatable {
    public var status: MessageStatus
    public var finishReason: String?
    /// The text past the offset asked for, and the whole text's length, in Unicode scalars.
    public var contentTail: String
    public var contentLength: Int
    public var reasoningTail: String
    public var reasoningLength: Int
    /// Whether whoever streams it is alive (true once it ended).
    public var alive: Bool
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var reasoningTokens: Int?
    public var costUSD: Double?
    public var costSource: CostSource?
    public var error: String?
}

extension ChatRepository {
    /// ``beginTurn(conversationID:parentID:userContent:model:requestID:workerPID:runnerID:creating:)`` in a conversation
    /// that exists, without a runner (SQLite, tests).
    public func beginTurn(
        conversationID: String, parentID: String?, userContent: String?, model: String, requestID: String, workerPID: Int32
    ) async throws -> TurnRows {
        try await beginTurn(conversationID: conversationID, parentID: parentID, userContent: userContent, model: model,
                            requestID: requestID, workerPID: workerPID, runnerID: nil, creating: nil)
    }

    /// ``beginTurn(conversationID:parentID:userContent:model:requestID:workerPID:runnerID:creating:)`` in a conversation
    /// that exists.
    public func beginTurn(
        conversationID: String, parentID: String?, userContent: String?, model: String, requestID: String, workerPID: Int32,
        runnerID: Int64?
    ) async throws -> TurnRows {
        try await beginTurn(conversationID: conversationID, parentID: parentID, userContent: userContent, model: model,
                            requestID: requestID, workerPID: workerPID, runnerID: runnerID, creating: nil)
    }
}
