import FoundationEssentials
import Synchronization

/// How a stream ended, from the fake's side.
enum StreamEnd: Sendable {
    /// The script ran to its end (for `fake/cut` and the mid-stream errors, that end is the fault itself).
    case completed
    /// The client went away first: a write failed, or the inbound side of the connection closed.
    case clientDisconnected
}

/// What the fake has seen, for tests (`/_fake/stats`) and for OpenRouter's `/generation` and `/key` endpoints.
///
/// One `Mutex` around plain counters: every stream touches it a few times, not per token, so 500 concurrent
/// streams do not contend, and handlers stay async all the way (a lock is never held across an `await`).
final class FakeState: Sendable {
    private struct Counters {
        var requests = 0
        var apiRequests = 0
        var streamsStarted = 0
        var streamsCompleted = 0
        var clientDisconnects = 0
        var activeStreams = 0
        var lastRequest: JSON = nil
        var generations: [String: Kept] = [:]
        var generationOrder: [String] = []
        var keyUsage = 0.0
        var keyLimit: Double?
    }

    /// A recorded generation and the moment `/generation` starts to report it.
    private struct Kept {
        let json: JSON
        let visibleAt: ContinuousClock.Instant
    }

    /// Oldest generations are forgotten beyond this, so a long load test cannot grow memory without bound.
    static let generationLimit = 100_000
    private let counters = Mutex(Counters())
    /// How long after its stream ended a generation stays `Generation not found` (`--generation-lag-ms`), as
    /// OpenRouter's `/generation` lags the stream by a few seconds.
    let generationLag: Duration

    init(generationLag: Duration = .zero) {
        self.generationLag = generationLag
    }

    /// Any request under `/api/v1`.
    func countAPIRequest() { counters.withLock { $0.apiRequests += 1 } }

    /// A `POST /api/v1/chat/completions`, whatever its outcome; `summary` becomes `last_request`.
    func countChatRequest(_ summary: JSON) {
        counters.withLock {
            $0.requests += 1
            $0.lastRequest = summary
        }
    }

    func streamStarted() {
        counters.withLock {
            $0.streamsStarted += 1
            $0.activeStreams += 1
        }
    }

    func streamEnded(_ end: StreamEnd) {
        counters.withLock {
            $0.activeStreams -= 1
            switch end {
            case .completed: $0.streamsCompleted += 1
            case .clientDisconnected: $0.clientDisconnects += 1
            }
        }
    }

    /// Keeps a served generation for `GET /api/v1/generation`, reported once `generationLag` has passed, and adds
    /// its cost to the key's usage at once.
    func record(_ generation: Generation) {
        let kept = Kept(json: generation.json, visibleAt: .now + generationLag)
        counters.withLock {
            if $0.generations.updateValue(kept, forKey: generation.id) == nil {
                $0.generationOrder.append(generation.id)
            }
            if $0.generationOrder.count > Self.generationLimit {
                let dropped = $0.generationOrder.prefix(Self.generationLimit / 10)
                for id in dropped { $0.generations[id] = nil }
                $0.generationOrder.removeFirst(dropped.count)
            }
            $0.keyUsage = (($0.keyUsage + generation.cost) * 1e12).rounded() / 1e12  // no float noise in /key
        }
    }

    /// The generation `id` as `/generation` reports it; nil while unknown or still within the lag.
    func generation(id: String) -> JSON? {
        guard let kept = counters.withLock({ $0.generations[id] }), kept.visibleAt <= .now else { return nil }
        return kept.json
    }

    /// Sum of the costs of every generation served since start or the last reset, as `/key` reports `usage`.
    var keyUsage: Double { counters.withLock { $0.keyUsage } }

    /// The key's scripted credit limit in USD (nil: no limit), as `/key` reports `limit`.
    var keyLimit: Double? { counters.withLock { $0.keyLimit } }

    /// Scripts the key's credit limit (`--key-limit`, `POST /_fake/key`); it survives `reset()`.
    func setKeyLimit(_ limit: Double?) { counters.withLock { $0.keyLimit = limit } }

    /// The `/_fake/stats` body.
    var stats: JSON {
        counters.withLock {
            [
                "requests": .int($0.requests),
                "api_requests": .int($0.apiRequests),
                "streams_started": .int($0.streamsStarted),
                "streams_completed": .int($0.streamsCompleted),
                "client_disconnects": .int($0.clientDisconnects),
                "active_streams": .int($0.activeStreams),
                "generations": .int($0.generations.count),
                "key_usage": .double($0.keyUsage),
                "last_request": $0.lastRequest,
            ]
        }
    }

    /// Zeroes the counters, forgets generations and key usage; streams still running stay counted as active.
    func reset() {
        counters.withLock {
            let active = $0.activeStreams
            let limit = $0.keyLimit
            $0 = Counters()
            $0.activeStreams = active
            $0.keyLimit = limit
        }
    }
}

/// A generation as `GET /api/v1/generation?id=` reports it afterwards.
struct Generation: Sendable {
    let id: String
    let cost: Double
    let json: JSON

    /// The fields OpenRouter's `GenerationResponse` marks required; unknown ones are null, as for a plain request.
    init(head: ChunkHead, request: ChatRequest, userAgent: String?, referer: String?, streamed: Bool,
         cancelled: Bool, promptTokens: Int, completionTokens: Int, reasoningTokens: Int,
         finishReason: String?, cost: Double, latencyMs: Int, generationMs: Int)
    {
        self.id = head.id
        self.cost = cost
        let created = Date(timeIntervalSince1970: Double(head.created)).formatted(.iso8601)
        self.json = [
            "id": .string(head.id), "upstream_id": nil, "total_cost": .double(cost), "cache_discount": nil,
            "upstream_inference_cost": nil, "created_at": .string(created), "model": .string(head.model),
            "app_id": nil, "streamed": .bool(streamed), "cancelled": .bool(cancelled),
            "provider_name": .string(ChunkHead.provider), "latency": .int(latencyMs), "moderation_latency": nil,
            "generation_time": .int(generationMs), "finish_reason": finishReason.map(JSON.string) ?? .null,
            "native_finish_reason": finishReason.map(JSON.string) ?? .null, "service_tier": nil,
            "tokens_prompt": .int(promptTokens), "tokens_completion": .int(completionTokens),
            "native_tokens_prompt": .int(promptTokens), "native_tokens_completion": .int(completionTokens),
            "native_tokens_completion_images": 0, "native_tokens_reasoning": .int(reasoningTokens),
            "native_tokens_cached": 0, "num_media_prompt": nil, "num_input_audio_prompt": nil,
            "num_media_completion": nil, "num_search_results": nil, "num_fetches": nil, "web_search_engine": nil,
            "origin": "", "usage": .double(cost), "is_byok": false, "external_user": request.user.map(JSON.string) ?? .null,
            "api_type": "completions", "preset_id": nil, "router": nil, "provider_responses": nil,
            "user_agent": userAgent.map(JSON.string) ?? .null, "http_referer": referer.map(JSON.string) ?? .null,
            "data_region": nil, "workspace_id": nil,
        ]
    }
}
