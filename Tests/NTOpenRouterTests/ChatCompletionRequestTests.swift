import NTOpenRouter
import Testing

/// The request body: OpenRouter's field names, and nothing the caller did not set.
@Suite("Chat completion request")
struct ChatCompletionRequestTests {
    private func json(_ request: ChatCompletionRequest) throws -> String {
        String(decoding: try request.jsonBytes(), as: UTF8.self)
    }

    @Test("a minimal request has only model, messages and stream")
    func minimal() throws {
        let request = ChatCompletionRequest(model: "openai/gpt-4o", messages: [ChatMessage(role: .user, content: "Hi")])
        #expect(try json(request) == #"{"messages":[{"content":"Hi","role":"user"}],"model":"openai/gpt-4o","stream":true}"#)
    }

    @Test("every option is encoded under OpenRouter's name")
    func allOptions() throws {
        let request = ChatCompletionRequest(
            model: "anthropic/claude-sonnet-4",
            messages: [ChatMessage(role: .system, content: "Be brief."), ChatMessage(role: .user, content: "Ünïcode \"quoted\"\n")],
            stream: true, maxTokens: 1024, temperature: 0.7, topP: 0.9, stop: ["END"],
            reasoning: ReasoningOptions(effort: .high, exclude: false), user: "u-42"
        )
        #expect(
            try json(request)
                == #"{"max_tokens":1024,"messages":[{"content":"Be brief.","role":"system"},{"content":"Ünïcode \"quoted\"\n","role":"user"}],"model":"anthropic/claude-sonnet-4","reasoning":{"effort":"high","exclude":false},"stop":["END"],"stream":true,"temperature":0.7,"top_p":0.9,"user":"u-42"}"#
        )
    }

    @Test("a reasoning token budget is sent as reasoning.max_tokens")
    func reasoningBudget() throws {
        let request = ChatCompletionRequest(
            model: "m", messages: [], stream: false, reasoning: ReasoningOptions(maxTokens: 2000, exclude: true)
        )
        #expect(try json(request) == #"{"messages":[],"model":"m","reasoning":{"exclude":true,"max_tokens":2000},"stream":false}"#)
    }

    @Test("every reasoning effort is spelled as OpenRouter spells it", arguments: ReasoningOptions.Effort.allCases)
    func effortSpelling(effort: ReasoningOptions.Effort) throws {
        let body = try json(ChatCompletionRequest(model: "m", messages: [], reasoning: ReasoningOptions(effort: effort)))
        #expect(body.contains(#""effort":"\#(effort.rawValue)""#))
        #expect(["none", "minimal", "low", "medium", "high", "xhigh", "max"].contains(effort.rawValue))
    }
}
