import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A serial executor on a thread of its own, for an actor whose methods block on the network (a PostgreSQL
/// connection): Swift's cooperative pool has one thread per core, and a call waiting a round trip for the database
/// would hold one of those threads idle, starving every other task of the process (on two cores, two waiting
/// calls stop everything). On this thread a wait costs nothing but itself. Jobs run in the order they were
/// enqueued; the thread ends when the executor is released.
public final class BlockingExecutor: SerialExecutor, Sendable {
    private let queue = JobQueue()

    /// Starts the thread.
    public init() {
        let context = Unmanaged.passRetained(queue).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { context -> UnsafeMutableRawPointer? in
            Unmanaged<JobQueue>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        pthread_detach(thread)
        queue.executor = UnownedSerialExecutor(ordinary: self)
    }

    deinit {
        queue.stop()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        queue.push(UnownedJob(job))
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}

/// The jobs of a ``BlockingExecutor`` and the thread's loop; the thread owns it, so it outlives the executor until the
/// thread has run what was queued and ends.
private final class JobQueue: @unchecked Sendable {
    private struct State {
        var jobs: [UnownedJob] = []
        var stopped = false
    }
    private let state = Mutex(State())
    private let ready: UnsafeMutablePointer<sem_t>
    /// Set once, before the first job can be queued.
    nonisolated(unsafe) var executor: UnownedSerialExecutor?

    init() {
        ready = .allocate(capacity: 1)
        sem_init(ready, 0, 0)
    }

    deinit {
        sem_destroy(ready)
        ready.deallocate()
    }

    func push(_ job: UnownedJob) {
        state.withLock { $0.jobs.append(job) }
        sem_post(ready)
    }

    func stop() {
        state.withLock { $0.stopped = true }
        sem_post(ready)
    }

    func run() {
        while true {
            while sem_wait(ready) != 0 {}
            // One post per push: a batch takes every job queued so far, and the posts of the jobs it took early
            // come back as empty batches.
            let (batch, stopped) = state.withLock { s in
                defer { s.jobs.removeAll(keepingCapacity: true) }
                return (s.jobs, s.stopped)
            }
            if let executor { for job in batch { job.runSynchronously(on: executor) } }
            if stopped && batch.isEmpty { return }
        }
    }
}

/// An actor with nothing in it, whose default executor (on Swift's cooperative pool) another actor adopts when it
/// does not need a ``BlockingExecutor``: an actor chooses its executor in one property, for every instance.
public actor PoolExecutorHolder {
    public init() {}
}

/// Runs blocking work (a PostgreSQL call that may wait a round trip or a reconnection) on a ``BlockingExecutor``
/// thread of its own, one piece at a time, for callers on the cooperative pool or an event loop.
public actor BlockingWorker {
    private let executor = BlockingExecutor()

    public init() {}

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Runs `body` on the worker's thread and returns what it returned.
    public func run<T: Sendable>(_ body: @Sendable () -> T) -> T { body() }
}
