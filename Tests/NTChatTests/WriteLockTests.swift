import Foundation
import NTChat
import NTStorage
import Synchronization
import Testing

/// How the repository behaves while another process holds the database's write lock (an operator's `sqlite3`
/// shell, a second appliance by mistake): reads go on, a write waits a bounded time, then fails as `busy`.
struct WriteLockTests {
    /// Another connection (as another process would) holding the write lock until `release` is called.
    final class HeldLock: Sendable {
        let connection: SQLiteDatabase
        init(path: String) throws {
            connection = try SQLiteDatabase(path: path)
            try connection.execute("BEGIN IMMEDIATE")
        }
        func release() throws { try connection.execute("COMMIT") }
    }

    @Test func readsAreServedWhileAWriteWaitsForTheLock() async throws {
        let db = try TempDatabase()
        defer { db.cleanup() }
        let repository = try SQLChatRepository(path: db.path)
        let existing = try await repository.createConversation(title: "kept", model: nil, systemPrompt: nil, ownerID: "owner")
        let lock = try HeldLock(path: db.path)
        let written = Atomic<Bool>(false)
        let write = Task {
            defer { written.store(true, ordering: .releasing) }
            return try await repository.createConversation(title: "waiting", model: nil, systemPrompt: nil, ownerID: "owner")
        }
        try await Task.sleep(for: .milliseconds(200))
        let page = try await repository.conversations(ownerID: "owner", limit: 10, offset: 0)
        let conversation = try await repository.conversation(id: existing.id)
        let writeEnded = written.load(ordering: .acquiring)
        #expect(!writeEnded, "the write is still waiting for the lock")
        #expect(page.conversations.map(\.title) == ["kept"], "the list was served while the write waited")
        #expect(conversation?.title == "kept")
        try lock.release()
        let created = try await write.value
        #expect(created.title == "waiting", "the write went through once the lock was released")
        #expect(try await repository.conversations(ownerID: "owner", limit: 10, offset: 0).total == 2)
    }

    @Test func aWriteGivesUpAsBusyAfterTheBoundedWait() async throws {
        let db = try TempDatabase()
        defer { db.cleanup() }
        let repository = try SQLChatRepository(path: db.path)
        let lock = try HeldLock(path: db.path)
        let started = ContinuousClock.now
        let error = await #expect(throws: StorageError.self) {
            _ = try await repository.createConversation(title: "never", model: nil, systemPrompt: nil, ownerID: "owner")
        }
        #expect(error?.fault == .busy)
        #expect(ContinuousClock.now - started >= SQLChatRepository.writeLockWait - .milliseconds(200),
                "it waited about the documented bound before giving up")
        try lock.release()
        #expect(try await repository.conversations(ownerID: "owner", limit: 10, offset: 0).total == 0, "nothing was stored")
    }

    @Test func aCancelledCallerStillWaitsForTheLockToStoreItsWrite() async throws {
        let db = try TempDatabase()
        defer { db.cleanup() }
        let repository = try SQLChatRepository(path: db.path)
        let lock = try HeldLock(path: db.path)
        let write = Task { try await repository.createConversation(title: "final state", model: nil, systemPrompt: nil, ownerID: "owner") }
        write.cancel()
        try await Task.sleep(for: .milliseconds(200))
        try lock.release()
        #expect(try await write.value.title == "final state")
    }

    @Test func sqliteCodesMapToWhatTheyMeanForTheClient() {
        func fault(_ code: Int32) -> StorageFault { StorageError(code: code, message: "").fault }
        #expect(fault(5) == .busy, "SQLITE_BUSY")
        #expect(fault(6) == .busy, "SQLITE_LOCKED")
        #expect(fault(13) == .full, "SQLITE_FULL")
        #expect(fault(10) == .unavailable, "SQLITE_IOERR")
        #expect(fault(10 | (4 << 8)) == .unavailable, "SQLITE_IOERR_READ, an extended code")
        #expect(fault(14) == .unavailable, "SQLITE_CANTOPEN")
        #expect(fault(26) == .unavailable, "SQLITE_NOTADB")
        #expect(fault(19) == .failed, "SQLITE_CONSTRAINT is a bug, not a condition of the host")
        #expect(StorageFault(CancellationError()) == .failed)
    }
}
