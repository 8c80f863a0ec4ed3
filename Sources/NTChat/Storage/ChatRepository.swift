import NTOpenRouter
import NTSystem

/// A page of the conversation list.
public struct ConversationPage: Codable, Sendable {
    public let conversations: [Conversation]
    public let total: Int
    public let limit: Int
    public let offset: Int
}

/// The two rows a chat turn starts with, written in one transaction before the upstream is called.
public struct TurnRows: Sendable {
    public let user: Message?
    public let assistant: Message
}

/// The text of one streaming answer so far, as the periodic flush stores it.
public struct ProgressUpdate: Sendable {
    public let messageID: String
    public let content: String
    public let reasoning: String

    public init(messageID: String, content: String, reasoning: String) {
        self.messageID = messageID
        self.content = content
        self.reasoning = reasoning
    }
}

/// Everything the chat domain needs from storage. The SQLite implementation is ``SQLChatRepository``; a
/// PostgreSQL adapter would implement the same protocol.
public protocol ChatRepository: MessageTreeRepository {
    /// A new conversation belonging to the account `ownerID`.
    func createConversation(title: String, model: String?, systemPrompt: String?, ownerID: String) async throws -> Conversation
    /// A page of the conversations of the account `ownerID`, the most recently active first.
    func conversations(ownerID: String, limit: Int, offset: Int) async throws -> ConversationPage
    /// The conversation with this id, whoever owns it: callers answering a person check ``Conversation/ownerID``
    /// (the web worker's routes answer 404 for another person's id).
    func conversation(id: String) async throws -> Conversation?
    /// The account a conversation belongs to, or nil when there is no such conversation: the check every route
    /// makes before it answers, one primary-key read (``conversation(id:)`` also counts and sums its messages).
    func ownerID(ofConversation id: String) async throws -> String?
    /// Every message of the conversation (every branch), in creation order, without `sibling_ids`: what exports,
    /// archives and imports read.
    func messages(conversationID: String) async throws -> [Message]
    func updateConversation(id: String, patch: ConversationPatch) async throws -> Conversation?
    func deleteConversation(id: String) async throws -> Bool

    /// Persists the user's message (if any) under `parentID` and an empty assistant message in state `streaming`
    /// under it (or, regenerating, under `parentID` itself), in one transaction, and makes the answer the current
    /// leaf. `parentID` comes from ``turnAnchor(conversationID:placement:)``; a parent deleted since then throws
    /// ``ChatStoreError/messageNotFound``.
    ///
    /// `workerPID` and `runnerID` say who streams the answer: the web worker's process on this host, and on PostgreSQL
    /// its runner among the instances sharing the database (``RunnerPresence``). With `creating`, the conversation
    /// `conversationID` is created first, in the same transaction (`parentID` is then nil).
    func beginTurn(
        conversationID: String, parentID: String?, userContent: String?, model: String, requestID: String, workerPID: Int32,
        runnerID: Int64?, creating: NewConversation?
    ) async throws -> TurnRows

    /// Stores the text received so far of a streaming answer.
    func saveProgress(messageID: String, content: String, reasoning: String) async throws

    /// Stores the text received so far of several streaming answers in one transaction (the periodic flush of
    /// every answer streaming in the process); answers no longer `streaming` are left as they are.
    func saveProgress(_ updates: [ProgressUpdate]) async throws

    /// Writes the final state of an answer.
    func finish(messageID: String, outcome: MessageOutcome) async throws

    /// Marks `streaming` answers whose worker is gone as `interrupted` (after a crash); returns how many. On SQLite
    /// `isAlive` tells a live worker on this host by its pid; on PostgreSQL a runner's lock does, on any host
    /// (``ClusterSweep``), and the sweep also releases dead runners' budget reservations.
    func markInterrupted(isAlive: @Sendable (Int32) -> Bool) async throws -> Int

    /// The conversation's streaming answer as stored, with whether whoever streams it is alive; nil when none streams.
    func streamingAnswer(conversationID: String) async throws -> StreamingAnswer?

    /// Marks the answer `interrupted` when it is still streaming and whoever streamed it is dead; true when it did.
    func interruptIfOrphaned(messageID: String) async throws -> Bool

    /// The stored text of an answer past the given lengths (in Unicode scalars), for a page following an answer
    /// another process streams; nil when the answer is gone.
    func answerProgress(messageID: String, contentFrom: Int, reasoningFrom: Int) async throws -> AnswerProgress?

    /// Asks the runner streaming the answer to stop it (PostgreSQL's `NOTIFY`; it arrives at that
    /// runner's next flush tick).
    func requestStop(runnerID: Int64, messageID: String) async throws

    func replaceModels(_ models: [ModelInfo]) async throws
    func models() async throws -> [ModelInfo]

    /// Replaces an answer's estimated (or missing) cost by the upstream's record of it; false when the answer is
    /// gone, still streaming, or already has a reported or reconciled cost.
    func reconcileCost(messageID: String, record: GenerationRecord) async throws -> Bool

    /// Finished answers updated since `endedAfter` that have a generation id and no reported or reconciled cost.
    func unreconciledAnswers(endedAfter: UTCTime) async throws -> [UnreconciledAnswer]
}

/// Errors the repository reports to the API layer.
public enum ChatStoreError: Error, Sendable, Equatable {
    case conversationNotFound
    case nothingToRegenerate
    /// No message with that id in this conversation.
    case messageNotFound
    /// An edit names a message that is not the user's.
    case notAUserMessage
    /// A regeneration names a message that is not an answer.
    case notAnAnswer
    /// An answer is streaming in the conversation: its branches must not move under it.
    case turnRunning
}
