import Hummingbird

/// The fake's routes: OpenRouter's paths under `/api/v1`, and control endpoints for tests under `/_fake`.
enum Routes {
    static func router(settings: Settings, state: FakeState, logRequests: Bool) -> Router<BasicRequestContext> {
        let router = Router()
        if logRequests { router.add(middleware: LogRequestsMiddleware(.info)) }
        let chat = ChatCompletions(settings: settings, state: state)

        router.post("/api/v1/chat/completions") { request, _ in
            try await chat.respond(request)
        }

        // Public on OpenRouter: no key needed to list models.
        router.get("/api/v1/models") { _, _ in
            state.countAPIRequest()
            return Responses.json(Catalog.listing)
        }

        router.get("/api/v1/generation") { request, _ in
            state.countAPIRequest()
            if let denied = ScriptedErrors.denied(request, settings: settings) { return denied }
            guard let id = request.uri.queryParameters.get("id"), !id.isEmpty else {
                return Responses.json(Wire.error(400, "Invalid request parameters"), status: 400)
            }
            guard let generation = state.generation(id: id) else {
                return Responses.json(Wire.error(404, "Generation not found"), status: 404)
            }
            return Responses.json(["data": generation])
        }

        router.get("/api/v1/key") { request, _ in
            state.countAPIRequest()
            if let denied = ScriptedErrors.denied(request, settings: settings) { return denied }
            return Responses.json(key(usage: state.keyUsage, limit: state.keyLimit))
        }

        // Scripts the key's credit limit: `{"limit": 10.5}` or `{"limit": null}` (no limit); answers the stats.
        router.post("/_fake/key") { request, _ in
            var request = request
            let body = try? await request.collectBody(upTo: 1 << 16)
            guard let body, let parsed = JSON.parse(Array(body.readableBytesView)), case .object = parsed,
                  let limit = parsed["limit"] else {
                return Responses.json(Wire.error(400, "expected {\"limit\": number or null}"), status: 400)
            }
            switch limit {
            case .null: state.setKeyLimit(nil)
            case .double(let value): state.setKeyLimit(value)
            case .int(let value): state.setKeyLimit(Double(value))
            default: return Responses.json(Wire.error(400, "limit must be a number or null"), status: 400)
            }
            return Responses.json(state.stats)
        }

        router.get("/_fake/stats") { _, _ in Responses.json(state.stats) }
        router.post("/_fake/reset") { _, _ in
            state.reset()
            return Responses.json(state.stats)
        }
        return router
    }

    /// `GET /api/v1/key`: a paid key whose usage is the sum of the costs served so far; unlimited unless a
    /// limit was scripted (`--key-limit`, `POST /_fake/key`), then `limit_remaining` = limit − usage.
    static func key(usage: Double, limit: Double?) -> JSON {
        let remaining = limit.map { (($0 - usage) * 1e12).rounded() / 1e12 }
        return [
            "data": [
                "label": "sk-or-v1-fak...key",
                "limit": limit.map(JSON.double) ?? .null,
                "limit_remaining": remaining.map(JSON.double) ?? .null,
                "limit_reset": nil,
                "include_byok_in_limit": false,
                "usage": .double(usage),
                "usage_daily": .double(usage),
                "usage_weekly": .double(usage),
                "usage_monthly": .double(usage),
                "byok_usage": 0,
                "byok_usage_daily": 0,
                "byok_usage_weekly": 0,
                "byok_usage_monthly": 0,
                "is_free_tier": false,
                "is_management_key": false,
                "is_provisioning_key": false,
                "creator_user_id": nil,
                "expires_at": nil,
                "rate_limit": ["requests": -1, "interval": "10s", "note": "This field is deprecated and safe to ignore."],
            ]
        ]
    }
}
