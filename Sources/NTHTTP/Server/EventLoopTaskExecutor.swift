import NIOCore

/// Runs a task's jobs on one NIO event loop, as a Swift task executor.
///
/// A streamed response that runs under `withTaskExecutorPreference(EventLoopTaskExecutor(channel.eventLoop))`
/// does its work on the thread that owns the client's connection: its writes reach the channel without a thread
/// hop, and a wake-up from elsewhere (the curl thread handing over bytes) costs one hop onto that loop instead of
/// one onto Swift's global pool and another onto the loop. SwiftNIO 2.101 makes event loops serial executors
/// (for actors) but not task executors; this is the few lines that do it. Only code that never blocks may run
/// here: actors that block (the SQLite repository) keep executors of their own.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
