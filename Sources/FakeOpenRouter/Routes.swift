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
            if let denied = ScriptedErrors.denied(request, apiKey: settings.apiKey) { return denied }
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
            if let denied = ScriptedErrors.denied(request, apiKey: settings.apiKey) { return denied }
            return Responses.json(key(usage: state.keyUsage))
        }

        router.get("/_fake/stats") { _, _ in Responses.json(state.stats) }
        router.post("/_fake/reset") { _, _ in
            state.reset()
            return Responses.json(state.stats)
        }
        return router
    }

    /// `GET /api/v1/key`: an unlimited, paid key whose usage is the sum of the costs served so far.
    static func key(usage: Double) -> JSON {
        [
            "data": [
                "label": "fake",
                "limit": nil,
                "limit_remaining": nil,
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
