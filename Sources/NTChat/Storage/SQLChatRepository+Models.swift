import NTOpenRouter
import NTStorage

extension SQLChatRepository {
    public func replaceModels(_ models: [ModelInfo]) async throws {
        try await writing {
            try db.transaction {
                try db.execute("DELETE FROM models")
                let insert = try db.prepare("""
                    INSERT INTO models (id, name, context_length, prompt_price, completion_price, request_price,
                      reasoning_price, cache_read_price, max_completion_tokens, fetched_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, context_length = excluded.context_length,
                      prompt_price = excluded.prompt_price, completion_price = excluded.completion_price,
                      request_price = excluded.request_price, reasoning_price = excluded.reasoning_price,
                      cache_read_price = excluded.cache_read_price, max_completion_tokens = excluded.max_completion_tokens,
                      fetched_at = excluded.fetched_at
                    """)
                let now = Identifiers.now()
                for model in models {
                    insert.reset()
                    insert.bind(1, model.id)
                    insert.bind(2, model.name)
                    insert.bind(3, model.contextLength)
                    insert.bind(4, model.promptPrice)
                    insert.bind(5, model.completionPrice)
                    insert.bind(6, model.requestPrice)
                    insert.bind(7, model.reasoningPrice)
                    insert.bind(8, model.cacheReadPrice)
                    insert.bind(9, model.maxCompletionTokens)
                    insert.bind(10, now)
                    _ = try insert.step()
                }
            }
        }
    }

    public func models() throws -> [ModelInfo] {
        let query = try db.prepare("""
            SELECT id, name, context_length, prompt_price, completion_price, request_price, reasoning_price,
              cache_read_price, max_completion_tokens FROM models ORDER BY id
            """)
        var result: [ModelInfo] = []
        func optDouble(_ i: Int32) -> Double? { query.isNull(i) ? nil : query.double(i) }
        func optInt(_ i: Int32) -> Int? { query.isNull(i) ? nil : query.int(i) }
        while try query.step() {
            result.append(ModelInfo(
                id: query.string(0) ?? "", name: query.string(1) ?? "", contextLength: optInt(2),
                promptPrice: optDouble(3), completionPrice: optDouble(4), requestPrice: optDouble(5),
                reasoningPrice: optDouble(6), cacheReadPrice: optDouble(7), maxCompletionTokens: optInt(8)
            ))
        }
        return result
    }
}
