import Hummingbird

/// How a stream's bytes reach the wire: the framing faults of `fake/crlf` and `fake/bytewise`.
enum Framing: Sendable { case lf, crlf, bytewise }

/// Thrown to have Hummingbird drop the connection mid-response (`fake/cut`): the chunked body is never
/// terminated, so the client sees the transfer end early, as when a proxy or provider drops the stream.
struct CutConnection: Error {}

/// Writes one SSE stream and counts the tokens that reached the wire, so a client that leaves early is billed
/// for what it was sent (OpenRouter bills what the provider generated before the disconnect).
struct SSEEmitter {
    var writer: any ResponseBodyWriter
    let framing: Framing
    let startedAt: ContinuousClock.Instant
    var reasoningSent = 0
    var contentSent = 0
    /// When the first reasoning or content token was written: OpenRouter's generation `latency`.
    var firstTokenAt: ContinuousClock.Instant?

    /// Writes and flushes `text`; every write is its own HTTP chunk, so a client sees it at once.
    mutating func raw(_ text: String) async throws {
        let bytes = Array(text.utf8)
        switch framing {
        case .lf:
            try await writer.write(ByteBuffer(bytes: bytes))
        case .crlf:
            try await writer.write(ByteBuffer(bytes: bytes.flatMap { $0 == 0x0A ? [0x0D, 0x0A] : [$0] }))
        case .bytewise:
            // One byte per write, with a pause so that each leaves as its own TCP segment and read.
            for byte in bytes {
                try await writer.write(ByteBuffer(bytes: [byte]))
                try await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    mutating func comment(_ text: String) async throws { try await raw(": \(text)\n\n") }
    mutating func event(_ json: JSON) async throws { try await raw("data: \(json.serialized)\n\n") }
    mutating func done() async throws { try await raw("data: [DONE]\n\n") }

    mutating func tokenWritten(reasoning: Bool) {
        if reasoning { reasoningSent += 1 } else { contentSent += 1 }
        if firstTokenAt == nil { firstTokenAt = .now }
    }

    /// Ends the HTTP response properly (the terminating chunk); not called for `fake/cut`.
    func finish() async throws {
        let writer = self.writer
        try await writer.finish(nil)
    }
}

/// The events of one streamed answer, with the model's fault applied at its point.
///
/// Order, as OpenRouter sends it: keep-alive comments while "processing", the role delta, reasoning deltas,
/// content deltas (one token each), a chunk carrying `finish_reason`, the usage chunk, `data: [DONE]`.
struct StreamScript: Sendable {
    let head: ChunkHead
    let model: ScriptedModel
    let plan: Plan
    let promptTokens: Int
    let settings: Settings
    /// The message of the mid-stream errors with code 502.
    var errorMessage = "Provider returned error"

    /// The content token before which `fake/stall`, `fake/cut` and the mid-stream errors strike.
    static let faultAt = 3
    static let slowTokenDelay = Duration.milliseconds(20)

    var framing: Framing {
        switch model.behaviour {
        case .crlf: .crlf
        case .bytewise: .bytewise
        default: .lf
        }
    }

    var tokenDelay: Duration { model.behaviour == .slow ? Self.slowTokenDelay : settings.tokenDelay }

    /// What an answer of `completionTokens` costs at the model's prices (prompt included).
    func cost(completionTokens: Int) -> Double {
        model.pricing.cost(prompt: promptTokens, completion: completionTokens)
    }

    func run(_ out: inout SSEEmitter) async throws {
        let behaviour = model.behaviour
        if behaviour == .bom { try await out.raw("\u{FEFF}") }
        // Keep-alives spread over the time to first token, the last slice of it after the last comment.
        let slice = settings.ttft / (settings.keepalives + 1)
        for _ in 0..<settings.keepalives {
            try await Task.sleep(for: slice)
            try await out.comment("OPENROUTER PROCESSING")
        }
        try await Task.sleep(for: slice)
        try await out.event(Wire.chunk(head, delta: Wire.content("")))

        for (n, token) in plan.reasoning.enumerated() {
            if n > 0 { try await Task.sleep(for: tokenDelay) }
            try await out.event(Wire.chunk(head, delta: Wire.reasoning(token)))
            out.tokenWritten(reasoning: true)
        }
        for (n, token) in plan.content.enumerated() {
            if n > 0 || !plan.reasoning.isEmpty { try await Task.sleep(for: tokenDelay) }
            if n == Self.faultAt, try await fault(&out) { return }
            if behaviour == .malformed, n == 2 { try await out.raw("data: {not json\n\n") }
            let chunk = Wire.chunk(head, delta: Wire.content(token))
            if behaviour == .multiline, n == 1 {
                try await out.raw(Self.multiline(chunk))
            } else {
                try await out.event(chunk)
            }
            out.tokenWritten(reasoning: false)
        }
        if plan.content.count <= Self.faultAt, try await fault(&out) { return }

        try await out.event(Wire.chunk(head, delta: Wire.content(""), finish: plan.finishReason))
        if behaviour != .noUsage {
            let completion = plan.reasoning.count + plan.content.count
            let cost = behaviour == .noCost ? nil : cost(completionTokens: completion)
            let usage = Wire.usage(prompt: promptTokens, completion: completion, reasoning: plan.reasoning.count,
                                   cost: cost)
            try await out.event(Wire.usageChunk(head, usage: usage))
        }
        try await out.done()
        try await out.finish()
    }

    /// Applies a mid-stream fault; true when the stream ends here.
    private func fault(_ out: inout SSEEmitter) async throws -> Bool {
        switch model.behaviour {
        case .stall:
            // Silence, connection open, until the client leaves (the sleep is cancelled then).
            while true { try await Task.sleep(for: .seconds(3600)) }
        case .cut:
            throw CutConnection()
        case .midstreamError, .midstreamErrorEchoingKey:
            try await out.event(Wire.midstreamError(head, code: 502, message: errorMessage))
            try await out.done()
            try await out.finish()
            return true
        case .midstreamErrorNoDone:
            try await out.event(
                Wire.midstreamError(head, code: "server_error", message: "Provider disconnected unexpectedly"))
            try await out.finish()
            return true
        default:
            return false
        }
    }

    /// One event whose JSON is split over two `data:` lines just before `"choices"`; joined with the "\n" the
    /// SSE rules put between data lines, it is still the same valid JSON.
    static func multiline(_ chunk: JSON) -> String {
        let json = chunk.serialized
        guard let cut = json.firstRange(of: ",\"choices\":") else { return "data: \(json)\n\n" }
        let first = json[..<cut.lowerBound] + ","
        let second = json[json.index(after: cut.lowerBound)...]
        return "data: \(first)\ndata: \(second)\n\n"
    }
}
