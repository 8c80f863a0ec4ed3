/// Where a turn's new messages go in the conversation's tree (ADR 0017).
public enum TurnPlacement: Sendable, Equatable {
    /// A new user message after the current leaf (an ordinary message).
    case followLeaf
    /// A new user message beside that earlier user message (same parent): an edit, which becomes the current path.
    case editOf(String)
    /// A new answer beside that answer (same parent), which stays as an alternative; nil: the current leaf, which
    /// must be an answer.
    case regenerate(String?)
}

/// The place of a new turn: the message it goes under and the path down to it, which is all the upstream sees.
public struct TurnAnchor: Sendable, Equatable {
    /// The parent of the turn's first new message (nil: a first message).
    public let parentID: String?
    /// The path from the first message down to `parentID`, root first (empty when `parentID` is nil).
    public let history: [Message]

    public init(parentID: String?, history: [Message]) {
        self.parentID = parentID
        self.history = history
    }
}

/// The tree operations of a conversation's messages (ADR 0017), beside ``ChatRepository``'s turns.
public protocol MessageTreeRepository: Sendable {
    /// The visible path, root first, each message with its `sibling_ids`; empty for an unknown conversation.
    func path(conversationID: String) async throws -> [Message]

    /// Every message of the conversation in creation order, each with its `sibling_ids`.
    func tree(conversationID: String) async throws -> [Message]

    /// Where a turn placed so goes and what the upstream sees of the conversation. Throws ``ChatStoreError``:
    /// `conversationNotFound`, `messageNotFound`, `notAUserMessage`, `notAnAnswer`, `nothingToRegenerate`.
    func turnAnchor(conversationID: String, placement: TurnPlacement) async throws -> TurnAnchor

    /// Switches to the branch through `messageID`: the current leaf becomes its deepest descendant along the newest
    /// children. Throws `conversationNotFound`, `messageNotFound`, or `turnRunning` while an answer streams there.
    func setLeaf(conversationID: String, through messageID: String) async throws

    /// Deletes `messageID` and every message below it; returns how many went. Their recorded spend stays spent
    /// (`removed_spend`). A removed current leaf moves to the parent's newest remaining branch, else the parent,
    /// else nothing. Throws `conversationNotFound`, `messageNotFound`, or `turnRunning`.
    func deleteSubtree(conversationID: String, messageID: String) async throws -> Int
}

extension ChatRepository {
    /// A turn after the current leaf, or (`replacingLastAnswer`) a new answer beside the current leaf's answer,
    /// which stays as an alternative and is no longer the visible one.
    public func beginTurn(
        conversationID: String, userContent: String?, model: String, requestID: String, workerPID: Int32,
        replacingLastAnswer: Bool
    ) async throws -> TurnRows {
        let anchor = try await turnAnchor(conversationID: conversationID, placement: replacingLastAnswer ? .regenerate(nil) : .followLeaf)
        return try await beginTurn(conversationID: conversationID, parentID: anchor.parentID, userContent: userContent, model: model,
                                   requestID: requestID, workerPID: workerPID)
    }
}
