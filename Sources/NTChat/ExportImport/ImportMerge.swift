/// How a conversation of an import meets the copy the database already holds (ADR 0006, ADR 0017). An import adds
/// and updates; it never deletes or rewrites history:
///
/// - a message of the database that the file lacks stays;
/// - a message of the file that the database lacks is added under its parent (which the file lists before it, so
///   it is stored or added first): a continuation, or a branch made elsewhere (an edit, a regenerated answer);
/// - a message both hold, if they differ, takes the copy with the later `updated_at` (the database's on a tie);
/// - the conversation's row (title, model, system prompt, current leaf) takes the file's copy only if its
///   `updated_at` is later;
/// - a message both hold under another parent or with another role is a conflict: the histories disagree about
///   what was said, so nothing stored is touched, and the importer stores the file's conversation beside it
///   (``ConflictCopy``).
///
/// Timestamps compare as text, which orders them because an import takes only the exporter's fixed UTC form.
public enum ImportMerge {
    /// What to write for a conversation that merges cleanly.
    public struct Changes: Sendable, Equatable {
        /// The file's row, when it is newer than the stored one.
        public var row: Conversation?
        /// Messages of the file that replace their older stored copy (same id).
        public var updated: [Message] = []
        /// Messages of the file that are not in the database, to add after the stored ones (by `seq`), in the file's
        /// order.
        public var added: [Message] = []
        /// Messages of the file whose stored copy differs and is as new or newer: the stored copy stays.
        public var kept = 0
    }

    public enum Plan: Sendable, Equatable {
        /// The file holds nothing newer than the database: nothing to write (`kept` as in ``Changes``).
        case unchanged(kept: Int)
        case merge(Changes)
        /// The histories disagree (a shared message under another parent or role): keep the stored conversation,
        /// store the file's beside it.
        case conflict
        /// There is something to write, but an answer is streaming in the conversation right now.
        case busy
    }

    public static func plan(stored: Conversation, storedMessages: [Message], incoming: ExportedConversation) -> Plan {
        var byID: [String: Message] = [:]
        for message in storedMessages { byID[message.id] = message }
        var changes = Changes()
        for message in incoming.messages {
            guard let mine = byID[message.id] else {
                changes.added.append(message)
                continue
            }
            guard mine.role == message.role, mine.parentID == message.parentID else { return .conflict }
            if mine == message { continue }
            if message.updatedAt > mine.updatedAt { changes.updated.append(message) } else { changes.kept += 1 }
        }
        let theirs = incoming.conversation
        if !sameRow(stored, theirs) && theirs.updatedAt > stored.updatedAt { changes.row = theirs }
        if changes.row == nil && changes.updated.isEmpty && changes.added.isEmpty { return .unchanged(kept: changes.kept) }
        if storedMessages.contains(where: { $0.status == .streaming }) { return .busy }
        return .merge(changes)
    }

    /// The fields of a conversation's row that an import writes (the totals follow from the messages).
    static func sameRow(_ a: Conversation, _ b: Conversation) -> Bool {
        a.id == b.id && a.title == b.title && a.model == b.model && a.systemPrompt == b.systemPrompt
            && a.createdAt == b.createdAt && a.updatedAt == b.updatedAt && a.currentLeafID == b.currentLeafID
    }
}
