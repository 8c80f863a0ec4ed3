/// A rough token count without a tokenizer: about four UTF-8 bytes per token, rounded up.
///
/// Good enough for a budget check and for trimming old messages to fit a context window; it over-counts
/// plain English a little and under-counts code and CJK text, so leave headroom. The upstream's reported
/// usage is the truth for billing.
public enum TokenEstimate {
    /// What each message adds beyond its text (role and separators), in tokens.
    public static let perMessageOverhead = 4

    /// The estimated tokens of a text: UTF-8 bytes ÷ 4, rounded up (0 for an empty text).
    public static func tokens(in text: String) -> Int {
        (text.utf8.count + 3) / 4
    }

    /// The estimated tokens of one message: its text plus ``perMessageOverhead``.
    public static func tokens(in message: ChatMessage) -> Int {
        tokens(in: message.content) + perMessageOverhead
    }

    /// The estimated prompt tokens of a conversation: the sum over its messages.
    public static func tokens(in messages: [ChatMessage]) -> Int {
        messages.reduce(0) { $0 + tokens(in: $1) }
    }
}
