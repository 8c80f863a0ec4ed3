/// Fixed lengths of the text the API accepts, shared by the chat routes (web worker) and the import, so a field
/// that the API would refuse cannot enter the database through an import either. Message and title lengths are
/// configurable (`[limits]`), so they travel as values: the web worker's `InputLimits`, ``ImportLimits``.
public enum TextLimits {
    /// A conversation's system prompt.
    public static let maxSystemPromptCharacters = 50_000
    /// A model id (`openai/gpt-4o`), of a conversation or a message.
    public static let maxModelIDCharacters = 200
}
