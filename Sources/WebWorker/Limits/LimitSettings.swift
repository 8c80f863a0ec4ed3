import NTChat
import NTConfig

// The limits' settings, taken from the configuration at the point of use (each request reads `config.current`),
// so a SIGHUP changes them for the next request without a restart.

/// `limits.api_*` and `limits.chat_*`: the two token buckets of ``RateLimitMiddleware``.
struct RateLimits: Sendable, Equatable {
    var api: RateLimit
    var chat: RateLimit

    init(api: RateLimit, chat: RateLimit) {
        self.api = api
        self.chat = chat
    }

    init(_ config: AppConfig) {
        let l = config.limits
        self.init(
            api: RateLimit(perMinute: l.apiRequestsPerMinute, burst: l.apiBurst),
            chat: RateLimit(perMinute: l.chatRequestsPerMinute, burst: l.chatBurst)
        )
    }

    subscript(bucket: RateBucket) -> RateLimit {
        switch bucket {
        case .api: api
        case .chat: chat
        }
    }
}

/// `server.max_body_bytes` and `limits.json_max_depth`: what ``BodyLimitMiddleware`` enforces.
struct BodyLimits: Sendable, Equatable {
    var maxBytes: Int
    var jsonMaxDepth: Int

    init(maxBytes: Int, jsonMaxDepth: Int) {
        self.maxBytes = maxBytes
        self.jsonMaxDepth = jsonMaxDepth
    }

    init(_ config: AppConfig) {
        self.init(maxBytes: config.server.maxBodyBytes, jsonMaxDepth: config.limits.jsonMaxDepth)
    }
}

/// `limits.message_max_chars`, `limits.title_max_chars` and `limits.page_max_items`: checked by the chat routes;
/// the first two and `limits.json_max_depth` by the import too (``ImportLimits``).
struct InputLimits: Sendable, Equatable {
    var messageMaxChars: Int
    var titleMaxChars: Int
    var pageMaxItems: Int
    var jsonMaxDepth: Int

    /// The limits of `config`; without one, the defaults (for tests that build routes without a worker).
    init(_ config: AppConfig = AppConfig()) {
        let l = config.limits
        messageMaxChars = l.messageMaxChars
        titleMaxChars = l.titleMaxChars
        pageMaxItems = l.pageMaxItems
        jsonMaxDepth = l.jsonMaxDepth
    }
}

extension ImportLimits {
    /// What `POST /api/import` accepts: the API's own limits on each field, the defaults on records and input.
    init(_ input: InputLimits) {
        self.init(maxMessageCharacters: input.messageMaxChars, maxTitleCharacters: input.titleMaxChars, maxJSONDepth: input.jsonMaxDepth)
    }
}

extension LoginThrottleSettings {
    /// `limits.login_max_failures` and `limits.login_lockout_seconds`.
    init(_ config: AppConfig) {
        let l = config.limits
        self.init(maxFailures: l.loginMaxFailures, lockout: .milliseconds(Int((l.loginLockoutSeconds * 1000).rounded())))
    }
}
