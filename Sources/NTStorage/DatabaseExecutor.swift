import CSQLite
import Glibc
import Synchronization

/// A serial executor with a thread of its own, for actors whose methods block in SQLite.
///
/// A default actor runs on whatever executor its caller prefers: on Swift's small cooperative pool, or — for a
/// chat turn — on the NIO event loop that serves the client's connection. A statement that waits for a lock (up
/// to the busy timeout) or for the disk would then stall every connection of that loop, or a share of the pool.
/// An actor that returns ``shared`` as its `unownedExecutor` runs its methods here instead; callers simply await.
/// The thread sleeps on a semaphore when there is no work: no timer, no polling. The Swift server libraries the
/// appliance uses offer no such executor (NIO's event loops are for non-blocking work), so this is written here.
public final class DatabaseExecutor: SerialExecutor {
    /// The process's database thread (`nt-sqlite` in `top -H`), started on first use.
    public static let shared = DatabaseExecutor()

    private struct Queue {
        var jobs: [UnownedJob] = []
        var sleeping = false
    }
    private let queue = Mutex(Queue())
    /// Allocated once and never freed (the executor lives as long as the process); sem_post and sem_wait are
    /// safe from any thread.
    private nonisolated(unsafe) let semaphore: UnsafeMutablePointer<sem_t>

    private init() {
        semaphore = .allocate(capacity: 1)
        sem_init(semaphore, 0, 0)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { context in
            let executor = Unmanaged<DatabaseExecutor>.fromOpaque(context!).takeRetainedValue()
            nt_sqlite_name_thread("nt-sqlite")
            executor.run()
        }, context)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        pthread_detach(thread)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let wake = queue.withLock { q -> Bool in
            q.jobs.append(job)
            guard q.sleeping else { return false }
            q.sleeping = false
            return true
        }
        if wake { sem_post(semaphore) }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    private func run() -> Never {
        var batch: [UnownedJob] = []
        while true {
            queue.withLock { q in
                if q.jobs.isEmpty {
                    q.sleeping = true
                } else {
                    swap(&batch, &q.jobs)
                }
            }
            if batch.isEmpty {
                while sem_wait(semaphore) != 0 && errno == EINTR {}
                continue
            }
            for job in batch { job.runSynchronously(on: asUnownedSerialExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
