import CCurl
import Glibc
import Synchronization

/// `curl_global_init` runs once per process, on first use (Swift initialises globals lazily and exactly once).
let curlGlobalInit: CURLcode = nt_global_init()

/// The curl thread: one dedicated pthread that runs a ``CurlEngine``.
///
/// Other threads never touch libcurl. They queue commands (add, cancel, resume, shut down) under a mutex and
/// wake the thread through an eventfd that the engine watches, at most once per batch of commands.
final class CurlLoop: Sendable {
    private struct Commands {
        var adds: [(TransferChannel, CurlRequest)] = []
        var cancels: [TransferChannel] = []
        var resumes: [TransferChannel] = []
        var shutdown = false
        var wakePending = false
        /// The thread has exited and closed the eventfd: nobody may write to it any more.
        var closed = false
    }

    private let commands = Mutex(Commands())
    private let wakeFD: Int32
    private let maxConnections: Int
    /// Easy handles currently allocated (transfers running, or finished and not yet freed).
    let liveTransfers = Atomic<Int>(0)

    init(maxConnections: Int) {
        precondition(curlGlobalInit == CURLE_OK, "curl_global_init failed")
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(wakeFD >= 0, "eventfd failed: errno \(errno)")
        self.maxConnections = max(maxConnections, 1)
    }

    /// Starts the dedicated thread; it runs until ``shutdown()``.
    func start() {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { context in
            let loop = Unmanaged<CurlLoop>.fromOpaque(context!).takeRetainedValue()
            nt_name_current_thread("nt-curl")
            loop.run()
            return nil
        }, context)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        pthread_detach(thread)
    }

    // MARK: commands from any thread

    /// Hands a new transfer to the curl thread.
    func submit(_ channel: TransferChannel, _ request: CurlRequest) {
        let accepted = send { c in
            guard !c.shutdown else { return false }
            c.adds.append((channel, request))
            return true
        }
        if !accepted { channel.deliver(.end(CurlError(kind: .cancelled, message: "the client has shut down"))) }
    }

    /// Removes a transfer from the multi handle, which closes its HTTP/1 connection (or resets its HTTP/2 stream).
    func cancel(_ channel: TransferChannel) { _ = send { $0.cancels.append(channel); return true } }

    /// Resumes a transfer that back-pressure paused.
    func resume(_ channel: TransferChannel) { _ = send { $0.resumes.append(channel); return true } }

    /// Ends every transfer with `.cancelled` and stops the thread.
    func shutdown() { _ = send { $0.shutdown = true; return true } }

    /// Applies `body` to the commands and wakes the thread once per batch. The wake-up happens under the lock so
    /// that it cannot race with the thread closing the eventfd.
    private func send(_ body: (inout Commands) -> Bool) -> Bool {
        commands.withLock { c in
            let accepted = body(&c)
            if accepted && !c.wakePending && !c.closed {
                c.wakePending = true
                var one: UInt64 = 1
                _ = write(wakeFD, &one, 8)
            }
            return accepted
        }
    }

    // MARK: the curl thread

    private func run() {
        let engine = CurlEngine(loop: self, wakeFD: wakeFD, maxConnections: maxConnections)
        while true {
            let work = commands.withLock { c -> Commands in
                let taken = c
                c.adds.removeAll()
                c.cancels.removeAll()
                c.resumes.removeAll()
                c.wakePending = false
                return taken
            }
            if work.shutdown {
                let error = CurlError(kind: .cancelled, message: "the client has shut down")
                for (channel, _) in work.adds { channel.deliver(.end(error)) }
                break
            }
            for (channel, request) in work.adds { engine.add(channel, request) }
            for channel in work.cancels { engine.cancel(channel) }
            for channel in work.resumes { engine.resume(channel) }
            engine.step()
        }
        engine.close()
        commands.withLock { $0.closed = true }
        Glibc.close(wakeFD)
    }
}
