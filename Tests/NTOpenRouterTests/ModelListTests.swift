import NTOpenRouter
import Testing

/// Reading `GET /models`: prices as decimal strings, free models, and entries that do not decode.
@Suite("Model list")
struct ModelListTests {
    static let body = #"""
        {"data":[
          {"id":"openai/gpt-4o","canonical_slug":"openai/gpt-4o-2024-05-13","name":"OpenAI: GPT-4o","created":1715558400,
           "context_length":128000,"architecture":{"modality":"text+image->text","tokenizer":"GPT"},
           "pricing":{"prompt":"0.0000025","completion":"0.00001","request":"0","image":"0.003613","input_cache_read":"0.00000125"},
           "top_provider":{"context_length":128000,"max_completion_tokens":16384,"is_moderated":true},
           "supported_parameters":["max_tokens","temperature"]},
          {"id":"meta-llama/llama-3.3-70b-instruct:free","name":"Llama 3.3 70B (free)","context_length":null,
           "pricing":{"prompt":"0","completion":"0"},"top_provider":{"context_length":65536,"max_completion_tokens":null}},
          {"name":"broken: no id","pricing":{"prompt":"0.1","completion":"0.1"}},
          {"id":"deepseek/deepseek-r1","name":"R1","context_length":"not a number","pricing":{"prompt":"1","completion":"1"}},
          {"id":"anthropic/claude-sonnet-4","name":"Claude Sonnet 4","context_length":200000,
           "pricing":{"prompt":0.000003,"completion":0.000015,"internal_reasoning":"0.000015","input_cache_read":"0.0000003","input_cache_write":"0.00000375"}},
          {"id":"openrouter/auto","name":"Auto Router","context_length":2000000,"pricing":{"prompt":"-1","completion":"-1"}},
          {"id":"local/model"}
        ]}
        """#

    @Test("decodes models, skipping the entries that fail, in order")
    func decodesList() throws {
        let models = try ModelInfo.parseModelsResponse(bytes(Self.body))
        #expect(models.map(\.id) == ["openai/gpt-4o", "meta-llama/llama-3.3-70b-instruct:free", "anthropic/claude-sonnet-4", "openrouter/auto", "local/model"])
    }

    @Test("string prices become USD per token, with the top provider's completion limit")
    func stringPrices() throws {
        let gpt = try #require(try ModelInfo.parseModelsResponse(bytes(Self.body)).first)
        #expect(
            gpt == ModelInfo(
                id: "openai/gpt-4o", name: "OpenAI: GPT-4o", contextLength: 128000, promptPrice: 0.0000025, completionPrice: 0.00001,
                requestPrice: 0, reasoningPrice: nil, cacheReadPrice: 0.00000125, maxCompletionTokens: 16384
            )
        )
    }

    @Test("a free model costs 0, and its context length falls back to the top provider's")
    func freeModel() throws {
        let free = try ModelInfo.parseModelsResponse(bytes(Self.body))[1]
        #expect(free.promptPrice == 0 && free.completionPrice == 0)
        #expect(free.contextLength == 65536)
        #expect(free.maxCompletionTokens == nil)
        #expect(free.worstCaseCost(promptTokens: 10_000, maxTokens: 4_000) == 0)
    }

    @Test("numeric prices are accepted; negative (variable) prices and missing ones are unknown")
    func otherPrices() throws {
        let models = try ModelInfo.parseModelsResponse(bytes(Self.body))
        #expect(models[2].promptPrice == 0.000003 && models[2].reasoningPrice == 0.000015 && models[2].cacheReadPrice == 0.0000003)
        #expect(models[3].promptPrice == nil && models[3].completionPrice == nil)
        #expect(models[4] == ModelInfo(id: "local/model", name: "local/model"))
    }

    @Test("a body that is not a model list throws", arguments: ["", "[]", #"{"models":[]}"#, #"{"data":{}}"#, "<html>"])
    func rejectsOtherBodies(body: String) {
        #expect(throws: (any Error).self) { try ModelInfo.parseModelsResponse(bytes(body)) }
    }

    @Test("an empty list is an empty list")
    func emptyList() throws {
        #expect(try ModelInfo.parseModelsResponse(bytes(#"{"data":[]}"#)).isEmpty)
    }
}
