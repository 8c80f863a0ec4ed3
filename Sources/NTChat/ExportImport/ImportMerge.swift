/// How a conversation of an import meets the copy the database already holds (ADR 0006). An import adds and
/// updates; it never deletes or rewrites history:
///
/// - a message of the database that the file lacks stays;
/// - a message of the file that the database lacks is added, but only after the whole stored history (the file
///   continues the conversation);
/// - a message both hold, if they differ, takes the copy with the later `updated_at` (the database's on a tie);
/// - the conversation's row (title, model, system prompt) takes the file's copy only if its `updated_at` is later;
/// - anything else (the file's history branches off the stored one: new messages where the database has others,
///   messages in another order, a message changing its role) is a conflict: nothing stored is touched, and the
///   importer stores the file's conversation beside it (``ConflictCopy``).
///
/// Timestamps compare as text, which orders them because an import takes only the exporter's fixed UTC form.
public enum ImportMerge {
    /// What to write for a conversation that merges cleanly.
    public struct Changes: Sendable, Equatable {
        /// The file's row, when it is newer than the stored one.
        public var row: Conversation?
        /// Messages of the file that replace their older stored copy (same id).
        public var updated: [Message] = []
        /// Messages of the file that are not in the database, to add after the stored ones, in the file's order.
        public var added: [Message] = []
        /// Messages of the file whose stored copy differs and is as new or newer: the stored copy stays.
        public var kept = 0
    }

    public enum Plan: Sendable, Equatable {
        /// The file holds nothing newer than the database: nothing to write (`kept` as in ``Changes``).
        case unchanged(kept: Int)
        case merge(Changes)
        /// The histories branched off: keep the stored conversation, store the file's beside it.
        case conflict
        /// There is something to write, but an answer is streaming in the conversation right now.
        case busy
    }

    public static func plan(stored: Conversation, storedMessages: [Message], incoming: ExportedConversation) -> Plan {
        var position: [String: Int] = [:]
        for (index, message) in storedMessages.enumerated() { position[message.id] = index }
        var changes = Changes()
        var lastShared = -1
        var sharedCount = 0
        for message in incoming.messages {
            guard let index = position[message.id] else {
                changes.added.append(message)
                continue
            }
            // A stored message after a new one, or stored messages out of their order: another history.
            guard changes.added.isEmpty, index > lastShared else { return .conflict }
            lastShared = index
            sharedCount += 1
            let mine = storedMessages[index]
            if mine == message { continue }
            guard mine.role == message.role else { return .conflict }
            if message.updatedAt > mine.updatedAt { changes.updated.append(message) } else { changes.kept += 1 }
        }
        // New messages continue the conversation only if the file holds all of its stored history before them.
        if !changes.added.isEmpty && sharedCount != storedMessages.count { return .conflict }
        let theirs = incoming.conversation
        if !sameRow(stored, theirs) && theirs.updatedAt > stored.updatedAt { changes.row = theirs }
        if changes.row == nil && changes.updated.isEmpty && changes.added.isEmpty { return .unchanged(kept: changes.kept) }
        if storedMessages.contains(where: { $0.status == .streaming }) { return .busy }
        return .merge(changes)
    }

    /// The fields of a conversation's row that an import writes (the totals follow from the messages).
    static func sameRow(_ a: Conversation, _ b: Conversation) -> Bool {
        a.id == b.id && a.title == b.title && a.model == b.model && a.systemPrompt == b.systemPrompt
            && a.createdAt == b.createdAt && a.updatedAt == b.updatedAt
    }
}
