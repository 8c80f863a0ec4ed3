import FoundationEssentials
import NIOCore
import NTChat

/// The chat API's `text/event-stream` framing: `event: <name>` and one `data:` line of JSON per event, written
/// into one buffer per batch of events (one socket write for every token that arrived together).
///
/// Text pieces (`delta`, `reasoning`), nearly every frame of a stream, are escaped straight into the buffer; the
/// few structured events of a turn (`meta`, `usage`, `done`, `error`) go through one `JSONEncoder` per stream.
struct SSEFrames {
    private var buffer = ByteBuffer()
    private var encoder: JSONEncoder?

    /// Appends the frame of `event`.
    mutating func append(_ event: ChatEvent) {
        switch event {
        case .meta(let meta): frame("meta", meta)
        case .delta(let text): textFrame("delta", text)
        case .reasoning(let text): textFrame("reasoning", text)
        case .usage(let usage): frame("usage", usage)
        case .done(let status, let finishReason): frame("done", Done(status: status.rawValue, finishReason: finishReason))
        case .error(let code, let message, let retryable): frame("error", ErrorEvent(code: code, message: message, retryable: retryable))
        case .keepAlive: buffer.writeStaticString(": keep-alive\n\n")
        case .snapshot(let content, let reasoning): frame("snapshot", Snapshot(content: content, reasoning: reasoning))
        case .notice(let kind, let message): frame("notice", Notice(kind: kind, message: message))
        }
    }

    /// The frames appended since the last call, or nil when there are none.
    mutating func take() -> ByteBuffer? {
        guard buffer.readableBytes > 0 else { return nil }
        defer { buffer = ByteBuffer() }
        return buffer
    }

    private mutating func textFrame(_ name: StaticString, _ text: String) {
        buffer.writeStaticString("event: ")
        buffer.writeStaticString(name)
        buffer.writeStaticString("\ndata: {\"text\":\"")
        Self.writeEscaped(text, into: &buffer)
        buffer.writeStaticString("\"}\n\n")
    }

    private mutating func frame(_ name: StaticString, _ value: some Encodable) {
        if encoder == nil {
            let made = JSONEncoder()
            made.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder = made
        }
        buffer.writeStaticString("event: ")
        buffer.writeStaticString(name)
        buffer.writeStaticString("\ndata: ")
        // JSONEncoder never emits raw newlines, so one data line always suffices.
        if let json = try? encoder?.encode(value) { buffer.writeBytes(json) } else { buffer.writeStaticString("{}") }
        buffer.writeStaticString("\n\n")
    }

    /// JSON string escaping (RFC 8259): quote, backslash and the control characters; everything else as UTF-8.
    static func writeEscaped(_ text: String, into buffer: inout ByteBuffer) {
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                switch byte {
                case 0x22: buffer.writeStaticString("\\\"")
                case 0x5C: buffer.writeStaticString("\\\\")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0D: buffer.writeStaticString("\\r")
                case 0x09: buffer.writeStaticString("\\t")
                case 0x08: buffer.writeStaticString("\\b")
                case 0x0C: buffer.writeStaticString("\\f")
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    buffer.writeStaticString("\\u00")
                    buffer.writeInteger(hex[Int(byte >> 4)])
                    buffer.writeInteger(hex[Int(byte & 0xF)])
                }
                start = index + 1
            }
            buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
        }
    }

    struct Done: Encodable {
        let status: String
        let finishReason: String?

        enum CodingKeys: String, CodingKey {
            case status
            case finishReason = "finish_reason"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(status, forKey: .status)
            try c.encode(finishReason, forKey: .finishReason)
        }
    }

    struct Snapshot: Encodable {
        let content: String
        let reasoning: String
    }

    struct Notice: Encodable {
        let kind: String
        let message: String
    }

    struct ErrorEvent: Encodable {
        let code: String
        let message: String
        let retryable: Bool
    }
}
