/// What export and import need from storage, beside ``ChatRepository`` (which it leaves unchanged).
///
/// ``SQLiteChatRepository`` implements it; the API and the CLI reach it through ``ArchiveExporter`` and
/// ``ArchiveImporter``.
public protocol ArchiveRepository: Sendable {
    /// How many conversations there are (for progress reports).
    func conversationCount() async throws -> Int

    /// Up to `limit` conversations with their messages, in id order, whose ids sort after `afterID` (keyset
    /// paging: pass the last id of the previous page; nil for the first page). Read in one transaction.
    func exportPage(afterID: String?, limit: Int) async throws -> [ArchivedConversation]

    /// One conversation with its messages, or nil.
    func exportConversation(id: String) async throws -> ArchivedConversation?

    /// Stores a validated conversation in one transaction, following the rules of ``ImportResult``.
    func importConversation(_ archived: ArchivedConversation) async throws -> ImportResult
}

/// What an import did with one conversation of the file.
///
/// The conversation (its row and all its messages) is the unit. The copy whose latest `updated_at` (over the
/// conversation and its messages, compared as text) is newer wins; on a tie the file wins. A conversation with
/// an answer streaming right now is never replaced.
public enum ImportResult: Sendable, Equatable {
    /// It was not in the database; it and its messages were added.
    case inserted(messages: Int)
    /// It differed and the file's copy was as new or newer: the database's copy was replaced by the file's.
    case replaced(messages: Int)
    /// The database already held exactly the file's copy: nothing was written.
    case unchanged
    /// The database's copy is newer (or streaming): it was kept and the file's copy skipped.
    case keptNewer
}

/// Errors of the archive storage.
public enum ArchiveStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A message id of the file belongs to a message of another conversation in the database.
    case messageIDTaken(messageID: String, conversationID: String)

    public var description: String {
        switch self {
        case .messageIDTaken(let message, let conversation):
            return "message \(message) already exists in another conversation (\(conversation))"
        }
    }
}
