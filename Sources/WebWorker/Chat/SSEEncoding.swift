import FoundationEssentials
import NTChat

/// The chat API's `text/event-stream` framing: `event: <name>` and one `data:` line of JSON per event.
enum SSEEncoding {
    static func encode(_ event: ChatEvent) -> String {
        switch event {
        case .meta(let meta): return frame("meta", meta)
        case .delta(let text): return frame("delta", ["text": text])
        case .reasoning(let text): return frame("reasoning", ["text": text])
        case .usage(let usage): return frame("usage", usage)
        case .done(let status, let finishReason): return frame("done", Done(status: status.rawValue, finishReason: finishReason))
        case .error(let code, let message, let retryable): return frame("error", ErrorEvent(code: code, message: message, retryable: retryable))
        case .keepAlive: return ": keep-alive\n\n"
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

    struct ErrorEvent: Encodable {
        let code: String
        let message: String
        let retryable: Bool
    }

    private static func frame(_ name: String, _ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        // JSONEncoder never emits raw newlines, so one data line always suffices.
        return "event: \(name)\ndata: \(json)\n\n"
    }
}
