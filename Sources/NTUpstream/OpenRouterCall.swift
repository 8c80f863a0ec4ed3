import NTChat
import NTCurl
import NTOpenRouter
import Synchronization

/// One chat completion request over libcurl, pulled by the turn: the HTTP status decides between an SSE stream
/// and an OpenRouter error body; SSE bytes go through the parser and the chunk decoder on the consumer's thread,
/// in the batch they arrived in.
final class OpenRouterCall: UpstreamCall {
    private let transfer: CurlTransfer
    /// The decoding state. Only the one consumer touches it, between its awaits; the lock is never contended.
    private let decoding = Mutex(Decoding())

    init(transfer: CurlTransfer) {
        self.transfer = transfer
    }

    func next(into events: inout [UpstreamEvent]) async {
        var raw: [CurlEvent] = []
        await transfer.next(into: &raw)
        decoding.withLock { d in
            for event in raw { d.decode(event, into: &events) }
        }
    }

    func cancel() { transfer.cancel() }

    func wake() { transfer.wake() }

    /// How libcurl's events become ``UpstreamEvent``s.
    struct Decoding {
        var parser = SSEParser()
        var decoder = ChunkDecoder()
        var status = 0
        var retryAfter: Double?
        var errorBody: [UInt8] = []
        var sawDone = false

        mutating func decode(_ event: CurlEvent, into events: inout [UpstreamEvent]) {
            switch event {
            case .head(let code, let headers):
                status = code
                retryAfter = UpstreamErrorBody.retryAfterSeconds(CurlHeaders.value(of: "retry-after", in: headers))
                if code == 200 { events.append(.opened(generationID: CurlHeaders.value(of: "x-generation-id", in: headers))) }
            case .body(let bytes):
                guard status == 200 else {
                    if errorBody.count < 64 << 10 { errorBody.append(contentsOf: bytes) }
                    return
                }
                items(parser.feed(bytes), into: &events)
            case .end(let error):
                if let error {
                    events.append(.end(Self.failure(for: error, sawBytes: status != 0)))
                } else if status != 200 {
                    let parsed = UpstreamErrorBody.parse(errorBody, httpStatus: status)
                    events.append(.end(UpstreamFailure(
                        code: "upstream_\(status)", message: parsed.message, httpStatus: status,
                        retryable: UpstreamErrorBody.isRetryable(status: status), retryAfterSeconds: retryAfter
                    )))
                } else {
                    items(parser.finish(), into: &events)
                    events.append(.end(sawDone || !parser.hasPartialEvent ? nil : UpstreamFailure(
                        code: "stream_cut", message: "the upstream closed the stream in the middle of an event", retryable: true
                    )))
                }
            }
        }

        private mutating func items(_ sse: [SSEEvent], into events: inout [UpstreamEvent]) {
            for event in sse {
                for item in decoder.decode(event) {
                    if item == .done { sawDone = true }
                    events.append(.item(item))
                }
            }
        }

        static func failure(for error: CurlError, sawBytes: Bool) -> UpstreamFailure {
            let code: String
            switch error.kind {
            case .connect: code = "connect"
            case .timeoutConnect: code = "timeout_connect"
            case .timeoutFirstByte: code = "timeout_first_byte"
            case .timeoutIdle: code = "timeout_idle"
            case .timeoutTotal: code = "timeout_total"
            case .tls: code = "tls"
            case .cancelled: code = "cancelled"
            case .transport: code = sawBytes ? "stream_cut" : "transport"
            }
            return UpstreamFailure(code: code, message: error.message, retryable: error.kind != .tls && error.kind != .cancelled)
        }
    }
}
