import NTStorage

extension SQLChatRepository {
    /// How long one write waits for another process's write lock before it fails with ``StorageFault/busy``
    /// (answered 503 `storage_busy`): the backup, `sqlite3` in an operator's shell, a second appliance by mistake.
    public static let writeLockWait = Duration.seconds(5)
    /// SQLite's own wait inside one attempt; short, because it blocks the thread the attempt runs on.
    static let busyTimeoutMs: Int32 = 20

    /// Runs one write (a statement or a whole transaction: `body` must be safe to run again from the start),
    /// waiting out a write lock held by another process without holding the actor: between attempts the actor
    /// serves other calls, so reads go on while a writer waits (WAL readers need no lock). A write that still
    /// finds the lock taken after ``writeLockWait`` throws SQLite's busy error. Cancelling the calling task does
    /// not shorten the wait: a turn's final state is stored even when its client has gone.
    func writing<T>(_ body: () throws -> T) async throws -> T {
        try await writing(until: ContinuousClock.now + Self.writeLockWait, body)
    }

    /// ``writing(_:)`` for a write whose wait for the lock began earlier (a write queued for a group commit):
    /// it gives up as busy at `deadline`.
    func writing<T>(until deadline: ContinuousClock.Instant, _ body: () throws -> T) async throws -> T {
        var pause = Duration.milliseconds(2)
        while true {
            do {
                return try body()
            } catch let error as StorageError where error.fault == .busy && ContinuousClock.now + pause < deadline {
                let wait = pause
                await Task.detached { try? await Task.sleep(for: wait) }.value
                pause = min(pause * 2, .milliseconds(100))
            }
        }
    }
}
