import FoundationEssentials

/// Turns the events of one chat completion stream into ``StreamItem``s.
///
/// Use one decoder per stream: it remembers whether ``StreamItem/started(id:model:provider:)`` was sent.
/// Only the whole event data `[DONE]` (whitespace trimmed) ends a stream; `[DONE]` inside a chunk's text
/// is text. Empty and role-only deltas produce nothing, tool-call deltas and unknown fields are skipped,
/// and only the first choice (index 0) is read: the engine never asks for `n > 1`.
///
/// Within one chunk the items come in this order: `started`, `reasoning`, `content`, `upstreamError`,
/// `finished`, `usage`, so an error is known before the `finished(reason: "error")` it explains.
public struct ChunkDecoder: Sendable {
    /// Whether a chunk has been seen (and ``StreamItem/started(id:model:provider:)`` emitted).
    public private(set) var hasStarted = false
    private let decoder = JSONDecoder()
    /// Whether the common chunk shape is read by ``ChunkFastPath`` (false only in the tests that compare the two).
    let usesFastPath: Bool

    /// A decoder for a new stream.
    public init() {
        usesFastPath = true
    }

    init(usesFastPath: Bool) {
        self.usesFastPath = usesFastPath
    }

    /// Decodes one SSE event. Events with blank data (keep-alives from some servers) produce nothing.
    public mutating func decode(_ event: SSEEvent) -> [StreamItem] {
        decode(data: event.data)
    }

    /// Decodes the data of one SSE event.
    public mutating func decode(data: String) -> [StreamItem] {
        var data = data
        return data.withUTF8 { all in
            var lower = 0
            var upper = all.count
            while lower < upper, all[lower].isJSONWhitespace { lower += 1 }
            while upper > lower, all[upper - 1].isJSONWhitespace { upper -= 1 }
            if lower == upper { return [] }
            let body = UnsafeBufferPointer(rebasing: all[lower..<upper])
            if body.elementsEqual("[DONE]".utf8) { return [.done] }
            var chunk: WireChunk
            if usesFastPath, let quick = ChunkFastPath.read(body) {
                chunk = quick
            } else {
                do {
                    chunk = try decoder.decode(WireChunk.self, from: Data(body))
                } catch {
                    return [.malformed(Self.describe(error, data: String(decoding: all, as: UTF8.self)))]
                }
            }
            guard chunk.id != nil || chunk.choices != nil || chunk.usage != nil || chunk.error != nil else {
                return [.malformed("event data is JSON but not a chat completion chunk: \(Self.excerpt(String(decoding: all, as: UTF8.self)))")]
            }
            return items(of: chunk)
        }
    }

    private mutating func items(of chunk: WireChunk) -> [StreamItem] {
        var items: [StreamItem] = []
        if !hasStarted, chunk.id != nil || chunk.choices != nil {
            hasStarted = true
            items.append(.started(id: chunk.id ?? "", model: chunk.model, provider: chunk.provider))
        }
        let choice = chunk.choices?.first { ($0.index ?? 0) == 0 }
        if let delta = choice?.delta {
            if let reasoning = Self.reasoningText(of: delta) { items.append(.reasoning(reasoning)) }
            if let content = delta.content, !content.isEmpty { items.append(.content(content)) }
        }
        if let error = chunk.error {
            items.append(.upstreamError(error.streamError(fallbackCode: "unknown", fallbackMessage: "upstream error")))
        }
        if let reason = choice?.finishReason, !reason.isEmpty {
            items.append(.finished(reason: reason, nativeReason: choice?.nativeFinishReason))
        }
        if let usage = chunk.usage { items.append(.usage(usage.usage)) }
        return items
    }

    /// `delta.reasoning` when non-empty; otherwise the joined text of readable `reasoning_details`
    /// (OpenRouter sends both with the same text, so reading both would double it).
    private static func reasoningText(of delta: WireChunk.Delta) -> String? {
        if let reasoning = delta.reasoning, !reasoning.isEmpty { return reasoning }
        guard let details = delta.reasoningDetails, !details.isEmpty else { return nil }
        let text = details.compactMap(\.readableText).joined()
        return text.isEmpty ? nil : text
    }

    /// A one-line reason for the caller's log: where the shape went wrong, or that it is not JSON at all.
    static func describe(_ error: any Error, data: String) -> String {
        guard let error = error as? DecodingError else { return "undecodable event data: \(excerpt(data))" }
        let context: DecodingError.Context
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c):
            context = c
        @unknown default:
            return "undecodable event data: \(excerpt(data))"
        }
        if context.codingPath.isEmpty { return "event data is not a JSON object: \(excerpt(data))" }
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return "chunk field \(path.drop { $0 == "." }) has an unexpected type or value: \(excerpt(data))"
    }

    /// The start of some event data, enough to recognise it in a log without copying a whole chunk.
    static func excerpt(_ data: String, limit: Int = 120) -> String {
        data.utf8.count <= limit ? data : String(data.prefix(limit)) + "…"
    }
}

extension UInt8 {
    fileprivate var isJSONWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}
