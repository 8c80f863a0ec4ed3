import NTOpenRouter

/// Streams shaped like what OpenRouter sends, with the items they must decode to.
enum RecordedStreams {
    static let head = #""id":"gen-1745-abc","provider":"Anthropic","model":"anthropic/claude-sonnet-4","object":"chat.completion.chunk","created":1745000000"#

    /// One chunk event with the given choice JSON (or an empty `choices` plus extra top-level fields).
    static func chunk(_ choice: String?, extra: String = "") -> String {
        let choices = choice.map { #"[{"index":0,\#($0),"logprobs":null}]"# } ?? "[]"
        return "data: {\(head),\"choices\":\(choices)\(extra)}\n\n"
    }

    /// A complete turn: keep-alives, role delta, reasoning, content with multi-byte text and a literal
    /// `[DONE]`, the finish, the usage chunk with empty `choices`, and `[DONE]`.
    static let turn: String = [
        ": OPENROUTER PROCESSING\n\n",
        ": OPENROUTER PROCESSING\n\n",
        chunk(#""delta":{"role":"assistant","content":""},"finish_reason":null,"native_finish_reason":null"#),
        chunk(
            #""delta":{"role":"assistant","content":"","reasoning":"Weighing ✓ options","reasoning_details":[{"type":"reasoning.text","text":"Weighing ✓ options","format":"anthropic-claude-v1","index":0}]},"finish_reason":null"#
        ),
        chunk(#""delta":{"content":"Héllo, wörld 👋 — 日本語"},"finish_reason":null"#),
        chunk(#""delta":{"content":"the log said data: [DONE]\n\nthen went on"},"finish_reason":null"#),
        chunk(#""delta":{"content":""},"finish_reason":"stop","native_finish_reason":"end_turn""#),
        chunk(
            nil,
            extra: #","usage":{"prompt_tokens":12,"completion_tokens":30,"total_tokens":42,"cost":0.00123,"is_byok":false,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":8}}"#
        ),
        "data: [DONE]\n\n",
    ].joined()

    static let turnItems: [StreamItem] = [
        .started(id: "gen-1745-abc", model: "anthropic/claude-sonnet-4", provider: "Anthropic"),
        .reasoning("Weighing ✓ options"),
        .content("Héllo, wörld 👋 — 日本語"),
        .content("the log said data: [DONE]\n\nthen went on"),
        .finished(reason: "stop", nativeReason: "end_turn"),
        .usage(
            Usage(
                promptTokens: 12, completionTokens: 30, totalTokens: 42, cachedTokens: 4, reasoningTokens: 8,
                cost: 0.00123, isByok: false
            )
        ),
        .done,
    ]
}
