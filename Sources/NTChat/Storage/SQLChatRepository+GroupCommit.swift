import NTStorage

/// One write waiting for a group commit (``SQLChatRepository/grouped(_:)``). Confined to the repository's actor.
final class GroupedWrite {
    let run: () throws -> Void
    /// When the write gives up waiting for another process's write lock: ``SQLChatRepository/writeLockWait`` after
    /// it was queued, whichever groups it waits in.
    let deadline = ContinuousClock.now + SQLChatRepository.writeLockWait
    /// Resumed once the write is settled (`false`: its group committed, or it failed with ``error``), or with
    /// `true` when its caller is to commit the next group, this write first.
    var waiter: CheckedContinuation<Bool, Never>?
    var error: (any Error)?

    init(_ run: @escaping () throws -> Void) {
        self.run = run
    }
}

/// The writes queued for the next group commit, and whether a caller is committing one now.
struct WriteGroup {
    var queued: [GroupedWrite] = []
    var committing = false
}

extension SQLChatRepository {
    /// The most writes one group commit takes: every caller of a group waits for all of its writes, so a burst of
    /// thousands commits in groups of this many (each write's share of a commit is already small at this size).
    static let maxGroupedWrites = 64

    /// Runs one write of the chat turn's path (a new conversation, a turn's first rows, the streaming answers'
    /// progress, an answer's final state) in a group commit on SQLite: writes that queue while a transaction
    /// commits go into the next transaction together, and each caller returns once the transaction holding its
    /// write has committed, as with ``writing(_:)``. A burst of turns then costs a few commits instead of one
    /// each: a commit writes every changed page to the WAL once and the full-text index one segment, however
    /// many writes share it, and that is most of a small write's cost. Nothing waits for a group to fill: the
    /// first write of a quiet moment commits alone, once the writes already waiting for the actor have queued.
    ///
    /// `body` must be safe to run again from the start (as for ``writing(_:)``): when one write of a group
    /// throws, the group is rolled back and each of its writes runs again in a transaction of its own, so one
    /// write's failure (a conversation deleted meanwhile) is never another's. A write lock held elsewhere fails
    /// each write as busy ``writeLockWait`` after it was queued, as ``writing(_:)`` would. On PostgreSQL this is
    /// ``writing(_:)``: a group there would hold the writers' lock across every write's round trips.
    func grouped<T>(_ body: @escaping () throws -> T) async throws -> T {
        guard let sqlite = db as? SQLiteDatabase else { return try await writing(body) }
        var value: T?
        let write = GroupedWrite { value = try body() }
        writeGroup.queued.append(write)
        if writeGroup.committing {
            let leads = await withCheckedContinuation { write.waiter = $0 }
            if leads { await commitQueued(sqlite) }
        } else {
            writeGroup.committing = true
            // A transaction runs without suspending, so the writes that arrive meanwhile wait for the actor, not in
            // the queue. Yielding once lets every write already waiting for the actor queue and join this group.
            await Task.yield()
            await commitQueued(sqlite)
        }
        if let error = write.error { throw error }
        guard let value else { preconditionFailure("a write that did not throw has a value") }
        return value
    }

    /// Commits the queued writes (at most ``maxGroupedWrites``, oldest first), settles their callers, and hands the
    /// commit of the writes still queued to the first of them.
    private func commitQueued(_ sqlite: SQLiteDatabase) async {
        let batch = Array(writeGroup.queued.prefix(Self.maxGroupedWrites))
        writeGroup.queued.removeFirst(batch.count)
        let again = await commit(batch, sqlite)
        writeGroup.queued.insert(contentsOf: again, at: 0)
        // The writes to queue again are the batch's last ones; the others are settled.
        for write in batch.dropLast(again.count) {
            write.waiter?.resume(returning: false)
            write.waiter = nil
        }
        if let next = writeGroup.queued.first {
            next.waiter?.resume(returning: true)
            next.waiter = nil
        } else {
            writeGroup.committing = false
        }
    }

    /// Commits `batch` (its first write is the oldest: the caller's own, or the one handed the commit), setting each
    /// failed write's error. Returns the writes to queue again, a suffix of `batch`: when the lock stayed taken for the
    /// whole wait of the oldest write, that one fails as busy and the younger ones, whose waits are not over, go back
    /// to the queue.
    private func commit(_ batch: [GroupedWrite], _ sqlite: SQLiteDatabase) async -> [GroupedWrite] {
        guard let oldest = batch.first else { return [] }
        do {
            if batch.count == 1 {
                try await writing(until: oldest.deadline) { try oldest.run() }
            } else {
                try await writing(until: oldest.deadline) { try sqlite.groupTransaction { for write in batch { try write.run() } } }
            }
            return []
        } catch let error as StorageError where error.fault == .busy {
            oldest.error = error
            return Array(batch.dropFirst())
        } catch {
            guard batch.count > 1 else {
                oldest.error = error
                return []
            }
        }
        // One write failed and the group was rolled back: each runs again alone.
        for write in batch {
            do {
                try await writing(until: write.deadline) { try write.run() }
            } catch {
                write.error = error
            }
        }
        return []
    }
}
