import CCurl
import Glibc
import Synchronization

/// An HTTP client for the upstream, built on libcurl's multi interface.
///
/// One client runs a few dedicated threads (not threads of Swift's cooperative pool), one per core by default,
/// each driving its share of the transfers with `curl_multi_socket_action` over epoll: hundreds of concurrent
/// streams cost a thread per core, and idle ones only memory; with no transfer running, the threads sleep until
/// one is added. Transfers on one thread share its connection cache, so keep-alive connections are reused and
/// HTTPS upstreams that speak HTTP/2 multiplex streams over one connection. Create one client per process and
/// share it; it lives as long as any stream it returned, and its threads stop when the last reference goes away.
///
/// Proxies come from the environment (`https_proxy`/`HTTPS_PROXY`, `http_proxy`, `all_proxy`, `no_proxy`), as
/// libcurl reads them by default. TLS uses the system CA bundle unless ``CurlRequest/caFile`` says otherwise.
public final class CurlClient: Sendable {
    private let loops: [CurlLoop]
    private let nextLoop = Atomic<Int>(0)
    private let maxBufferedBytes: Int

    /// The process-wide client with the default settings; its thread starts on first use.
    public static let shared = CurlClient()

    /// Starts the client's threads.
    /// - Parameters:
    ///   - threads: curl threads; transfers are spread over them in turn. Default: one per online core.
    ///   - maxConnections: connections each thread's libcurl keeps open for reuse (CURLMOPT_MAXCONNECTS).
    ///   - maxBufferedBytes: body bytes one stream may hold unread before its transfer is paused (and then
    ///     resumed once the consumer has read three quarters of them).
    public init(threads: Int? = nil, maxConnections: Int = 64, maxBufferedBytes: Int = 8 << 20) {
        let count = max(1, threads ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        loops = (0..<count).map { _ in CurlLoop(maxConnections: maxConnections) }
        self.maxBufferedBytes = maxBufferedBytes
        for loop in loops { loop.start() }
    }

    deinit {
        for loop in loops { loop.shutdown() }
    }


    /// Transfers whose libcurl handle is allocated right now: running ones, plus finished ones for the moment
    /// between their `.end` and the freeing of the handle. A gauge for metrics, and a leak check for tests.
    public var activeTransfers: Int {
        loops.reduce(0) { $0 + $1.liveTransfers.load(ordering: .relaxed) }
    }

    /// The linked libcurl and its libraries, e.g. `libcurl/7.88.1 OpenSSL/3.0.19 zlib/1.2.13 zstd/1.5.4
    /// nghttp2/1.52.0`.
    public static var version: String {
        String(cString: curl_version())
    }

    /// Starts a transfer at once and streams its events: at most one `.head`, the body in order, then exactly one
    /// `.end`, after which the sequence finishes.
    ///
    /// Stopping early — breaking out of the loop, dropping the sequence, or cancelling the consuming task — removes
    /// the transfer from libcurl and closes its connection promptly, so the upstream stops generating (and
    /// billing). A cancelled consumer that keeps iterating receives `.end(CurlError(kind: .cancelled))`.
    /// Iterate from one task only.
    public func stream(_ request: CurlRequest) -> AsyncStream<CurlEvent> {
        let transfer = start(request)
        let pending = PendingEvents()
        return AsyncStream(unfolding: { await pending.next(from: transfer) }, onCancel: { transfer.cancel() })
    }

    /// Starts a transfer at once and returns it; pull its events with ``CurlTransfer/next(into:)``, which hands
    /// over everything that arrived since the last call in one go (the path of a relayed chat stream: one
    /// wake-up of the consumer per batch, not per event).
    public func start(_ request: CurlRequest) -> CurlTransfer {
        let index = nextLoop.add(1, ordering: .relaxed).oldValue
        let loop = loops[(index % loops.count + loops.count) % loops.count]
        let channel = TransferChannel(loop: loop, highWater: maxBufferedBytes)
        loop.submit(channel, request)
        return CurlTransfer(client: self, channel: channel)
    }

    /// Performs a transfer and collects the whole response.
    /// - Parameter maxBytes: the largest body accepted; a longer one ends the transfer with a `.transport`
    ///   error carrying `CURLE_FILESIZE_EXCEEDED`.
    /// - Throws: ``CurlError`` (kind `.cancelled` when the task is cancelled). Any HTTP status is a success.
    public func fetch(_ request: CurlRequest, maxBytes: Int) async throws -> (
        status: Int, headers: [(String, String)], body: [UInt8]
    ) {
        var status = 0
        var headers: [(String, String)] = []
        var body: [UInt8] = []
        for await event in stream(request) {
            switch event {
            case .head(let code, let fields):
                status = code
                headers = fields
            case .body(let bytes):
                guard body.count + bytes.count <= maxBytes else {
                    throw CurlError(
                        kind: .transport, message: "the response body exceeds \(maxBytes) bytes",
                        curlCode: Int32(truncatingIfNeeded: CURLE_FILESIZE_EXCEEDED.rawValue))
                }
                body.append(contentsOf: bytes)
            case .end(let error):
                if let error { throw error }
                return (status, headers, body)
            }
        }
        throw CurlError(kind: .cancelled, message: "the stream ended without a result")
    }
}

/// One running transfer, pulled by one consumer at a time: at most one `.head`, the body in order, then exactly
/// one `.end`. Releasing it before the end cancels the transfer; it keeps its client alive.
public final class CurlTransfer: Sendable {
    private let client: CurlClient
    private let channel: TransferChannel

    init(client: CurlClient, channel: TransferChannel) {
        self.client = client
        self.channel = channel
    }

    deinit {
        channel.cancel()
    }

    /// Appends every event that arrived since the last call to `events`, waiting only when none has. Returns with
    /// nothing appended after ``wake()``, and at once after `.end` was handed over. Does not observe task
    /// cancellation: call ``cancel()`` from a cancellation handler.
    public func next(into events: inout [CurlEvent]) async {
        await channel.next(into: &events)
    }

    /// Aborts the transfer (closing its connection, so the upstream stops generating); the consumer then
    /// receives `.end(CurlError(kind: .cancelled))` unless the transfer had ended already.
    public func cancel() {
        channel.cancel()
    }

    /// Makes the consumer's waiting (or next) ``next(into:)`` return, with nothing if nothing arrived: for a
    /// consumer that must do something else on a timer (a keep-alive, a stop).
    public func wake() {
        channel.wake()
    }
}

/// The events of a ``CurlClient/stream(_:)`` taken from the transfer but not yet handed to the iterator.
private final class PendingEvents: Sendable {
    private let state = Mutex<(events: [CurlEvent], head: Int)>(([], 0))

    func next(from transfer: CurlTransfer) async -> CurlEvent? {
        while true {
            let popped = state.withLock { s -> CurlEvent?? in
                guard s.head < s.events.count else { return nil }
                defer { s.head += 1 }
                return .some(s.events[s.head])
            }
            if let popped { return popped }
            var batch: [CurlEvent] = []
            await transfer.next(into: &batch)
            let over = state.withLock { s -> Bool in
                if s.head > 0, s.head == s.events.count, case .end? = s.events.last { return true }
                s.events = batch
                s.head = 0
                return false
            }
            if over { return nil }
        }
    }
}
