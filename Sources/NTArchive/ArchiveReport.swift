import NTIPC


/// The answer of an archive run (also the JSON of `neural-terminal archive --json` and of `archive` on the control
/// socket): what was written and pruned, or why the run stopped.
public struct ArchiveReport: ControlReport, Sendable, Equatable {
    public var ok: Bool
    /// Conversation records written this run (a conversation archived again in a newer state counts again).
    public var archivedConversations = 0
    public var archivedMessages = 0
    /// Conversations deleted from the database after their file was verified.
    public var prunedConversations = 0
    /// Archived conversations that changed before the prune and so stayed in the database.
    public var keptChanged = 0
    /// Conversations an import would refuse (``ImportLimits``: too large for one record, more messages than
    /// `maxMessages`, a field over its limit, a timestamp not in the exporter's form): not archived — an archive
    /// must import back — and left in the database, every run.
    public var oversized = 0
    /// Records of files that are gone from the archive directory, forgotten so those conversations are archived again.
    public var forgotten = 0
    /// The month files written, in month order.
    public var files: [FileReport] = []
    /// Month files found damaged (not matching their manifest and unreadable, or failing verification before a
    /// prune): left as they are, their conversations kept in the database; the run reports a failure.
    public var damagedFiles: [String] = []
    /// What went wrong, and its label as in `neural_terminal_archive_failures_total{reason}`.
    public var error: String?
    public var reason: String?
    public var durationSeconds = 0.0

    /// One month file after this run.
    public struct FileReport: Codable, Sendable, Equatable {
        public var file: String
        /// Conversations this run added to it.
        public var added: Int
        /// Conversations and bytes of the whole file now.
        public var conversations: Int
        public var bytes: Int
        public var sha256: String
    }

    public init(ok: Bool) {
        self.ok = ok
    }
}
