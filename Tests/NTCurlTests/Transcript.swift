import NTCurl
import Testing

/// All the tests run one after another: several measure timings (a disconnect within 100 ms, timeouts) that a
/// parallel 200-stream test on two cores would blur.
@Suite(.serialized) enum NTCurlSpec {}

/// Everything one stream delivered, for assertions.
struct Transcript {
    var events: [CurlEvent] = []

    /// Reads `stream` to its end.
    init(_ stream: AsyncStream<CurlEvent>) async {
        for await event in stream { events.append(event) }
    }

    var status: Int? {
        for case .head(let status, _) in events { return status }
        return nil
    }

    var headers: [(String, String)] {
        for case .head(_, let headers) in events { return headers }
        return []
    }

    func header(_ name: String) -> String? { CurlHeaders.value(of: name, in: headers) }

    var bodyChunks: [[UInt8]] { events.compactMap { if case .body(let bytes) = $0 { bytes } else { nil } } }
    var body: [UInt8] { bodyChunks.flatMap { $0 } }
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The error of the one `.end`, `nil` for a clean end.
    var error: CurlError? {
        for case .end(let error) in events { return error }
        return nil
    }

    /// The event kinds in order, e.g. `head body body end`, with repeated bodies collapsed into `body*`.
    var shape: String {
        var kinds: [String] = []
        for event in events {
            let kind = switch event { case .head: "head"; case .body: "body*"; case .end: "end" }
            if kinds.last != kind { kinds.append(kind) }
        }
        return kinds.joined(separator: " ")
    }

    /// How many `.end` events arrived.
    var endCount: Int { events.filter { if case .end = $0 { true } else { false } }.count }
}
