import CCurl

/// An HTTP client for the upstream, built on libcurl's multi interface.
///
/// One client runs one dedicated thread (not a thread of Swift's cooperative pool) that drives every transfer
/// with `curl_multi_socket_action` over epoll: hundreds of concurrent streams cost one thread, and idle ones
/// only memory. All
/// transfers share one connection cache, so keep-alive connections are reused and HTTPS upstreams that speak
/// HTTP/2 multiplex streams over one connection. Create one client per process and share it; it lives as long as
/// any stream it returned, and its thread stops when the last reference goes away.
///
/// Proxies come from the environment (`https_proxy`/`HTTPS_PROXY`, `http_proxy`, `all_proxy`, `no_proxy`), as
/// libcurl reads them by default. TLS uses the system CA bundle unless ``CurlRequest/caFile`` says otherwise.
public final class CurlClient: Sendable {
    private let loop: CurlLoop
    private let maxBufferedBytes: Int

    /// The process-wide client with the default settings; its thread starts on first use.
    public static let shared = CurlClient()

    /// Starts the client's thread.
    /// - Parameters:
    ///   - maxConnections: connections libcurl keeps open for reuse (CURLMOPT_MAXCONNECTS).
    ///   - maxBufferedBytes: body bytes one stream may hold unread before its transfer is paused (and then
    ///     resumed once the consumer has read three quarters of them).
    public init(maxConnections: Int = 64, maxBufferedBytes: Int = 8 << 20) {
        loop = CurlLoop(maxConnections: maxConnections)
        self.maxBufferedBytes = maxBufferedBytes
        loop.start()
    }

    deinit {
        loop.shutdown()
    }

    /// Transfers whose libcurl handle is allocated right now: running ones, plus finished ones for the moment
    /// between their `.end` and the freeing of the handle. A gauge for metrics, and a leak check for tests.
    public var activeTransfers: Int {
        loop.liveTransfers.load(ordering: .relaxed)
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
        let channel = TransferChannel(loop: loop, highWater: maxBufferedBytes)
        loop.submit(channel, request)
        let consumer = Consumer(client: self, channel: channel)
        return AsyncStream(unfolding: { await consumer.channel.next() }, onCancel: { consumer.channel.cancel() })
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

/// Held by the stream's unfolding closure: keeps the client alive while the stream exists, and cancels the
/// transfer when the stream and its iterator are released before the end.
private final class Consumer: Sendable {
    let client: CurlClient
    let channel: TransferChannel

    init(client: CurlClient, channel: TransferChannel) {
        self.client = client
        self.channel = channel
    }

    deinit {
        channel.cancel()
    }
}
