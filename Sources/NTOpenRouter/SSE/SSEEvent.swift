/// One dispatched Server-Sent Event: what a blank line after one or more `data:` lines produces.
///
/// OpenRouter sends every chunk as a plain `data: {json}` event, so `event` is normally `nil`; it is kept
/// for OpenAI-compatible servers that name their events.
public struct SSEEvent: Sendable, Hashable {
    /// The `event:` field of this event, or `nil` when none was given (the spec's default type "message").
    public var event: String?
    /// The `data:` lines of this event joined with `\n`, decoded as UTF-8 (invalid sequences become U+FFFD).
    public var data: String
    /// The last event id seen on the stream so far (it persists across events, as the spec says);
    /// `nil` when none was set or it was reset by an empty `id:` line.
    public var id: String?

    /// An event as the parser dispatches it; public for tests and for callers that synthesise events.
    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }
}
