import NTCurl
import NTOpenRouter

/// Turns libcurl's byte events into ``UpstreamEvent``s: the HTTP status decides between an SSE stream and an
/// OpenRouter error body; SSE bytes go through the parser and the chunk decoder.
enum StreamRelay {
    static func relay(_ events: AsyncStream<CurlEvent>, into continuation: AsyncStream<UpstreamEvent>.Continuation) async {
        var parser = SSEParser()
        var decoder = ChunkDecoder()
        var status = 0
        var retryAfter: Double?
        var errorBody: [UInt8] = []
        var sawDone = false
        for await event in events {
            switch event {
            case .head(let code, let headers):
                status = code
                let header = { (name: String) in headers.first { $0.0.lowercased() == name }?.1 }
                retryAfter = UpstreamErrorBody.retryAfterSeconds(header("retry-after"))
                if code == 200 { continuation.yield(.opened(generationID: header("x-generation-id"))) }
            case .body(let bytes):
                guard status == 200 else {
                    if errorBody.count < 64 << 10 { errorBody.append(contentsOf: bytes) }
                    continue
                }
                for sse in parser.feed(bytes) {
                    for item in decoder.decode(sse) {
                        if item == .done { sawDone = true }
                        continuation.yield(.item(item))
                    }
                }
            case .end(let error):
                if let error {
                    continuation.yield(.end(failure(for: error, sawBytes: status != 0)))
                } else if status != 200 {
                    let parsed = UpstreamErrorBody.parse(errorBody, httpStatus: status)
                    continuation.yield(.end(UpstreamFailure(
                        code: "upstream_\(status)", message: parsed.message, httpStatus: status,
                        retryable: UpstreamErrorBody.isRetryable(status: status), retryAfterSeconds: retryAfter
                    )))
                } else {
                    for sse in parser.finish() {
                        for item in decoder.decode(sse) {
                            if item == .done { sawDone = true }
                            continuation.yield(.item(item))
                        }
                    }
                    continuation.yield(.end(sawDone || !parser.hasPartialEvent ? nil : UpstreamFailure(
                        code: "stream_cut", message: "the upstream closed the stream in the middle of an event", retryable: true
                    )))
                }
            }
        }
        continuation.finish()
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
