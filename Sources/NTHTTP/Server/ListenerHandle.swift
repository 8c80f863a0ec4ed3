import NIOCore
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
    @discardableResult
    public func closeNow() async -> Bool {
        guard let listening = channel.withLock({ $0 }) else { return false }
        closed.store(true, ordering: .releasing)
        try? await listening.close()
        return true
    }
}
