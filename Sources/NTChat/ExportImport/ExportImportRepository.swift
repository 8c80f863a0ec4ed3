/// What export and import need from storage, beside ``ChatRepository`` (which it leaves unchanged).
///
/// ``SQLChatRepository`` implements it; the API and the CLI reach it through ``ConversationExporter`` and
/// ``ConversationImporter``.
public protocol ExportImportRepository: Sendable {
    /// How many conversations there are (of the account `ownerID`, or of everyone when nil), for progress reports.
    func conversationCount(ownerID: String?) async throws -> Int

    /// Up to `limit` conversations with their messages (of the account `ownerID`, or of everyone when nil: the
    /// operator's export on the host), in id order, whose ids sort after `afterID` (keyset paging: pass the last id
    /// of the previous page; nil for the first page). Read in one transaction.
    func exportPage(ownerID: String?, afterID: String?, limit: Int) async throws -> [ExportedConversation]

    /// One conversation with its messages, or nil.
    func exportConversation(id: String) async throws -> ExportedConversation?

    /// Stores a validated conversation for the account `ownerID` in one transaction, following ``ImportMerge``: it
    /// adds and updates, and never deletes a stored message. A stored conversation with the same id that belongs
    /// to another account is a `.conflict` (the importer stores a copy).
    func importConversation(_ archived: ExportedConversation, ownerID: String) async throws -> ImportResult
}

/// What an import did with one conversation of the file (the rules are ``ImportMerge``'s).
public enum ImportResult: Sendable, Equatable {
    /// It was not in the database; it and its messages were added.
    case added(messages: Int)
    /// The file added or updated messages, or updated the row (title, model, system prompt).
    case updated(added: Int, updated: Int, kept: Int)
    /// Nothing in the file was newer than the database's copy; nothing was written. `kept`: messages of the file
    /// that differ from the stored copy, which is as new or newer.
    case unchanged(kept: Int)
    /// The file's history branches off the stored one: nothing was written (the importer then stores the file's
    /// copy beside it).
    case conflict
    /// An answer is streaming in that conversation right now: nothing was written; import again later.
    case busy
}

/// Why the storage refused an imported conversation.
public enum ImportStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A message id of the file belongs to a message of another conversation in the database.
    case messageIDTaken(messageID: String, conversationID: String)

    public var description: String {
        switch self {
        case .messageIDTaken(let message, let conversation):
            _ = conversation // not named: it may be another person's
            return "message \(message) already exists in another conversation"
        }
    }
}
