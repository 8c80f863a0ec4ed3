/// A single-conversation export as this appliance wrote it before messages formed a tree (format version 1): no
/// `parent_id`, no `current_leaf_id`. Kept byte for byte, so every later reader is held to it.
enum LegacyExportFixture {
    static let conversationID = "5c0e1240-9a3b-4c6d-8e2f-0a1b2c3d4e5f"
    static let messageIDs = [
        "5c0e1240-0000-4000-8000-000000000001", "5c0e1240-0000-4000-8000-000000000002",
        "5c0e1240-0000-4000-8000-000000000003", "5c0e1240-0000-4000-8000-000000000004",
    ]

    static let document = """
        {
          "conversation" : {
            "cost_usd" : 0.0035,
            "created_at" : "2026-11-30T05:00:00.000Z",
            "id" : "5c0e1240-9a3b-4c6d-8e2f-0a1b2c3d4e5f",
            "message_count" : 4,
            "model" : "openai/gpt-4o",
            "system_prompt" : null,
            "title" : "Zebras",
            "updated_at" : "2026-11-30T05:02:00.000Z"
          },
          "exported_at" : "2026-12-01T05:00:00.000Z",
          "format" : "neural-terminal-export",
          "messages" : [
            {
              "cached_tokens" : null,
              "completion_tokens" : null,
              "content" : "What about zebras?",
              "conversation_id" : "5c0e1240-9a3b-4c6d-8e2f-0a1b2c3d4e5f",
              "cost_source" : null,
              "cost_usd" : null,
              "created_at" : "2026-11-30T05:00:00.000Z",
              "duration_ms" : null,
              "error" : null,
              "finish_reason" : null,
              "generation_id" : null,
              "id" : "5c0e1240-0000-4000-8000-000000000001",
              "model" : null,
              "prompt_tokens" : null,
              "reasoning" : "",
              "reasoning_tokens" : null,
              "request_id" : "req-1",
              "role" : "user",
              "status" : "complete",
              "ttft_ms" : null,
              "updated_at" : "2026-11-30T05:00:00.000Z"
            },
            {
              "cached_tokens" : 0,
              "completion_tokens" : 40,
              "content" : "Zebras are striped.",
              "conversation_id" : "5c0e1240-9a3b-4c6d-8e2f-0a1b2c3d4e5f",
              "cost_source" : "reported",
              "cost_usd" : 0.0015,
              "created_at" : "2026-11-30T05:00:00.000Z",
              "duration_ms" : 900,
              "error" : null,
              "finish_reason" : "stop",
              "generation_id" : "gen-1",
              "id" : "5c0e1240-0000-4000-8000-000000000002",
              "model" : "openai/gpt-4o",
              "prompt_tokens" : 10,
              "reasoning" : "",
              "reasoning_tokens" : 0,
              "request_id" : "req-1",
              "role" : "assistant",
              "status" : "complete",
              "ttft_ms" : 120,
              "updated_at" : "2026-11-30T05:00:01.000Z"
            },
            {
              "cached_tokens" : null,
              "completion_tokens" : null,
              "content" : "Why?",
              "conversation_id" : "5c0e1240-9a3b-4c6d-8e2f-0a1b2c3d4e5f",
              "cost_source" : null,
              "cost_usd" : null,
              "created_at" : "2026-11-30T05:02:00.000Z",
              "duration_ms" : null,
              "error" : null,
              "finish_reason" : null,
              "generation_id" : null,
              "id" : "5c0e1240-0000-4000-8000-000000000003",
              "model" : null,
              "prompt_tokens" : null,
              "reasoning" : "",
              "reasoning_tokens" : null,
              "request_id" : "req-2",
              "role" : "user",
              "status" : "complete",
              "ttft_ms" : null,
              "updated_at" : "2026-11-30T05:02:00.000Z"
            },
            {
              "cached_tokens" : 0,
              "completion_tokens" : 60,
              "content" : "Nobody knows for sure.",
              "conversation_id" : "5c0e1240-9a3b-4c6d-8e2f-0a1b2c3d4e5f",
              "cost_source" : "reported",
              "cost_usd" : 0.002,
              "created_at" : "2026-11-30T05:02:00.000Z",
              "duration_ms" : 1100,
              "error" : null,
              "finish_reason" : "stop",
              "generation_id" : "gen-2",
              "id" : "5c0e1240-0000-4000-8000-000000000004",
              "model" : "openai/gpt-4o",
              "prompt_tokens" : 60,
              "reasoning" : "",
              "reasoning_tokens" : 0,
              "request_id" : "req-2",
              "role" : "assistant",
              "status" : "complete",
              "ttft_ms" : 110,
              "updated_at" : "2026-11-30T05:02:01.000Z"
            }
          ],
          "version" : 1
        }

        """
}
