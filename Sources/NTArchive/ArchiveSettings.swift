import NTChat

/// What an archive run needs to know (the `[archive]` keys, resolved).
public struct ArchiveSettings: Sendable {
    /// Where the month files go (created if missing).
    public var directory: String
    /// Conversations whose last activity is older than this many days are archived; 0 = none.
    public var afterDays: Int
    /// Delete verified, unchanged archived conversations from the database.
    public var prune: Bool
    /// zstd level of new frames.
    public var zstdLevel: Int32 = 3
    /// Conversations selected per batch: the unit of memory (their ids) and of one prune transaction.
    public var batchSize = 500
    /// What one archived conversation may be at most: what `neural-terminal import` reads back. Larger ones are
    /// left in the database and counted as `oversized`.
    public var recordLimits = ImportLimits()

    public init(directory: String, afterDays: Int, prune: Bool) {
        self.directory = directory
        self.afterDays = afterDays
        self.prune = prune
    }
}

/// Points where tests step in: after a month file is written (to damage it) and before a prune (to race it).
public struct ArchiveHooks: Sendable {
    public var afterWrite: @Sendable (_ tempPath: String) -> Void = { _ in }
    public var beforePrune: @Sendable () async -> Void = {}
    public init() {}
}
