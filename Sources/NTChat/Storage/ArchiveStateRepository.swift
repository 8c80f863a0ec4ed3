/// What the monthly archives (ADR 0011) need from storage, beside export and import: which conversations are due,
/// what was written where, and the prune that removes only what is still exactly as it was archived.
///
/// ``SQLChatRepository`` implements it on the `archived_conversations` table (migration 5).
public protocol ArchiveStateRepository: ExportImportRepository {
    /// Conversations whose ``ArchiveFingerprint/lastActivity`` sorts before `before`, with no answer streaming, and
    /// not yet archived in their current state; ordered by (last activity, id), starting after `after`, at most
    /// `limit`. Text comparison: `before` is an RFC 3339 UTC timestamp, and callers that care about other offsets
    /// widen it and check each conversation themselves.
    func archiveCandidates(before: String, after: ArchiveCandidate?, limit: Int) async throws -> [ArchiveCandidate]

    /// These conversations with their messages, in the order given (missing ids are left out); one read transaction.
    func exportConversations(ids: [String]) async throws -> [ExportedConversation]

    /// Remembers that these conversations, in these states, are in these files (replacing earlier records).
    func recordArchived(_ records: [ArchiveRecord]) async throws

    /// Archived conversations not pruned yet whose current state is still the archived one, by file name.
    func prunableArchives() async throws -> [String: [String]]

    /// In one transaction, deletes each of `ids` whose current state still matches its archive record, marking the
    /// record pruned at `at`; returns the ids deleted. A conversation that changed since it was archived stays.
    /// Deleted answers keep their cost in `removed_spend`, so budgets do not change.
    func pruneArchived(ids: [String], at: String) async throws -> [String]

    /// Forgets unpruned records whose file is not among `files` (the archive directory lost it, or moved), so
    /// those conversations are archived again; returns how many were forgotten.
    func forgetArchives(notIn files: [String]) async throws -> Int
}

/// What identifies the state of a conversation for archiving: the latest `updated_at` of the conversation and its
/// messages (as stored, compared as text) and the number of messages. Every write of the appliance moves the
/// first (timestamps are taken when written); a message deleted without one is caught by the second.
public struct ArchiveFingerprint: Sendable, Equatable, Hashable {
    public var lastActivity: String
    public var messages: Int

    public init(lastActivity: String, messages: Int) {
        self.lastActivity = lastActivity
        self.messages = messages
    }

    /// The fingerprint of an exported copy; equal to the database's for the state that was read.
    public init(_ archived: ExportedConversation) {
        lastActivity = archived.messages.reduce(archived.conversation.updatedAt) { max($0, $1.updatedAt) }
        messages = archived.messages.count
    }
}

/// A conversation due for archiving, and its state when it was selected.
public struct ArchiveCandidate: Sendable, Equatable {
    public var id: String
    public var fingerprint: ArchiveFingerprint

    public init(id: String, fingerprint: ArchiveFingerprint) {
        self.id = id
        self.fingerprint = fingerprint
    }
}

/// One conversation written to an archive file: which state went into which file, and when.
public struct ArchiveRecord: Sendable, Equatable {
    public var conversationID: String
    public var fingerprint: ArchiveFingerprint
    /// The file's name in the archive directory (`2026-08.jsonl.zst`).
    public var file: String
    public var archivedAt: String

    public init(conversationID: String, fingerprint: ArchiveFingerprint, file: String, archivedAt: String) {
        self.conversationID = conversationID
        self.fingerprint = fingerprint
        self.file = file
        self.archivedAt = archivedAt
    }
}
