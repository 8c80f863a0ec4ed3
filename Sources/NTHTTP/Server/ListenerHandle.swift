import NIOCore
import NIOPosix
import Synchronization

/// Lets a worker stop accepting at once when its stop is for good (the appliance shuts down, or the port moves),
/// as opposed to a rolling restart, where the listening socket passes to the next worker with its queue intact.
///
/// Closing goes through NIO (`Channel.close`), so an accept in flight ends cleanly; a `shutdown(2)` on the shared
/// socket behind NIO's back killed a worker that was accepting at that instant. Once every process has closed its
/// descriptor (the supervisor closes its copy first), the kernel refuses new connections to the port and resets
/// the ones queued but never accepted, so a balancer or client retries elsewhere instead of waiting out the drain.
public final class ListenerHandle: Sendable {
    private let channel = Mutex<(any Channel)?>(nil)
    private let closed = Atomic<Bool>(false)

    public init() {}

    /// Called by the server once its listening channel is bound.
    func attach(_ listening: any Channel) {
        channel.withLock { $0 = listening }
    }

    /// Whether ``closeNow()`` has run: the server then skips pausing the accept loop it no longer has.
    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Closes the listening channel; connections already accepted go on. Returns false when no server was bound yet.
    ///
    /// Accepting stops first, and every connection already accepted reaches the accept loop before the channel
    /// closes: an accepted connection is set up on its own event loop and then handed to the listening channel's
    /// loop, and one handed over after the close was dropped set up but unread, which trips SwiftNIO's check that
    /// a channel's writer is finished ("Deinited NIOAsyncWriter without calling finish()") when it becomes active,
    /// killing the worker with every answer it was streaming (seen in the SIGTERM drain scenario on a loaded
    /// machine). Three rounds of an empty task on every event loop, then on the listening one, let those hand-overs
    /// (a few hops each) run first.
    @discardableResult
    public func closeNow() async -> Bool {
        guard let listening = channel.withLock({ $0 }) else { return false }
        closed.store(true, ordering: .releasing)
        try? await listening.setOption(ChannelOptions.autoRead, value: false).get()
        for _ in 0..<3 {
            for loop in MultiThreadedEventLoopGroup.singleton.makeIterator() { try? await loop.submit {}.get() }
            try? await listening.eventLoop.submit {}.get()
        }
        try? await listening.close()
        return true
    }
}
