import Hummingbird

/// Small helpers for building responses and reading headers.
enum Responses {
    /// A JSON response; `headers` are extra name/value pairs such as `Retry-After` or `X-Generation-Id`.
    static func json(_ body: JSON, status: Int = 200, headers extra: [(String, String)] = []) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        for (name, value) in extra { headers[.init(name)!] = value }
        return Response(
            status: .init(code: status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: body.serialized)))
    }

    /// The first value of header `name` (case-insensitive), or nil.
    static func header(_ request: Request, _ name: String) -> String? {
        let wanted = name.lowercased()
        return request.headers.first { $0.name.canonicalName == wanted }?.value
    }

    /// The request headers an OpenRouter client is expected to send, for `/_fake/stats` (`null` when absent).
    static let reportedHeaders = ["Authorization", "X-Request-ID", "HTTP-Referer", "X-OpenRouter-Title", "X-Title",
                                  "User-Agent"]

    static func reported(_ request: Request) -> JSON {
        .object(reportedHeaders.map { ($0, header(request, $0).map(JSON.string) ?? .null) })
    }

    /// Largest request body read; a chat with a long history stays far below it.
    static let bodyLimit = 32 << 20

    /// Holds the request open, sending nothing, until the client closes its side of the connection.
    ///
    /// Hummingbird runs `operation` in a child task and cancels it when the inbound stream ends, which is the only
    /// way to notice a client that leaves while nothing is being written.
    static func untilClientLeaves(_ request: Request) async {
        _ = try? await request.body.consumeWithCancellationOnInboundClose { _ in
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}

/// OpenRouter's errors, as sent before any stream starts: HTTP status = `error.code`.
enum ScriptedErrors {
    /// Checks `Authorization: Bearer KEY` when the fake was started with `--api-key`, and refuses the keys given
    /// with `--invalid-key` (whatever `--api-key` says); nil when the request may pass.
    static func denied(_ request: Request, settings: Settings) -> Response? {
        let auth = Responses.header(request, "Authorization")
        if let auth, settings.invalidKeys.contains(where: { auth == "Bearer \($0)" }) {
            return Responses.json(Wire.error(401, "User not found.", userID: false), status: 401)
        }
        guard let apiKey = settings.apiKey else { return nil }
        guard let auth, auth.hasPrefix("Bearer ") else {
            return Responses.json(Wire.error(401, "No auth credentials found", userID: false), status: 401)
        }
        if auth == "Bearer \(apiKey)" { return nil }
        return Responses.json(Wire.error(401, "User not found.", userID: false), status: 401)
    }

    /// `fake/http-401-echo`: a 401 whose message quotes what the client sent, header and bare key, as a careless
    /// proxy might. The appliance must redact it before it is stored, logged, exported or shown.
    static func echoingAuthorization(_ request: Request) -> Response {
        let auth = Responses.header(request, "Authorization") ?? "(none)"
        let key = auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)) : auth
        let message = "Invalid credentials: key \(key) was refused (received \"Authorization: \(auth)\")"
        return Responses.json(Wire.error(401, message, metadata: ["authorization": .string(auth)], userID: false), status: 401)
    }

    /// `fake/http-401-key-id`: the 401 of an upstream that names the key it could not find by its random part.
    static func keyIDNotFound(_ authorization: String?) -> Response {
        let id = KeyEcho.secret(KeyEcho.key(authorization))
        return Responses.json(Wire.error(401, "key id \(id) not found", userID: false), status: 401)
    }

    /// `fake/http-401-echo-forms`: a 401 quoting the key in every form of `KeyEcho`, in the message and metadata.
    static func echoingKeyForms(_ authorization: String?) -> Response {
        let metadata = JSON.object(KeyEcho.forms(authorization).map { ($0.name, JSON.string($0.text)) })
        return Responses.json(Wire.error(401, "Invalid credentials: " + KeyEcho.sentence(authorization), metadata: metadata,
                                         userID: false), status: 401)
    }

    static func invalidModel(_ id: String) -> Response {
        Responses.json(Wire.error(400, "\(id) is not a valid model ID"), status: 400)
    }

    static func invalidBody() -> Response {
        Responses.json(Wire.error(400, "Invalid JSON in request body"), status: 400)
    }

    /// The body OpenRouter sends for `status`; 429 and 503 come with `Retry-After: 1`.
    static func response(status: Int, model: String) -> Response {
        let provider: JSON = .string(ChunkHead.provider)
        let (message, metadata): (String, JSON?) =
            switch status {
            case 400:
                ("This endpoint's maximum context length is \(Catalog.contextLength) tokens. However, you requested "
                    + "about 200000 tokens. Please reduce the length of the messages or completion.", nil)
            case 401: ("User not found.", nil)
            case 402: ("Insufficient credits. Add more using https://openrouter.ai/credits", nil)
            case 403:
                ("\(model) requires moderation on FakeProvider. Your input was flagged for \"harassment\". "
                    + "No credits were charged.",
                 ["reasons": ["harassment"], "flagged_input": "you are a terrible...", "provider_name": provider,
                  "model_slug": .string(model)])
            case 408: ("Operation timed out. Please try again later.", nil)
            case 429:
                ("Provider returned error",
                 ["raw": .string("\(model) is temporarily rate-limited upstream. Please retry shortly."),
                  "provider_name": provider])
            case 502: ("Provider returned error", ["raw": "upstream connect error", "provider_name": provider])
            case 503: ("No allowed providers are available for the selected model.", nil)
            default: ("Internal Server Error", nil)
            }
        let retry: [(String, String)] = status == 429 || status == 503 ? [("Retry-After", "1")] : []
        return Responses.json(Wire.error(status, message, metadata: metadata, userID: status != 401),
                              status: status, headers: retry)
    }
}
