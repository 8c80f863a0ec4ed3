import FoundationEssentials
import NTChat
import NTCurl
import NTLog
import NTOpenRouter

/// Where and how to reach the upstream; read from the config at the start of each request, so a SIGHUP that
/// changes the key or the timeouts applies to the next turn.
public struct UpstreamSettings: Sendable {
    public var baseURL: String
    public var apiKey: String?
    public var referer: String?
    public var title: String?
    public var connectTimeout: Duration
    public var firstByteTimeout: Duration
    public var idleTimeout: Duration
    public var totalTimeout: Duration
    public var caFile: String?

    public init(baseURL: String, apiKey: String?, referer: String?, title: String?, connectTimeout: Duration,
                firstByteTimeout: Duration, idleTimeout: Duration, totalTimeout: Duration, caFile: String? = nil) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.referer = referer
        self.title = title
        self.connectTimeout = connectTimeout
        self.firstByteTimeout = firstByteTimeout
        self.idleTimeout = idleTimeout
        self.totalTimeout = totalTimeout
        self.caFile = caFile
    }
}

/// OpenRouter (or any OpenAI-compatible server) over libcurl: SSE parsed with `SSEParser`, chunks decoded with
/// `ChunkDecoder`, on the thread of the turn that pulls the call (see ``OpenRouterCall``).
public struct OpenRouterUpstream: ChatUpstream {
    let client: CurlClient
    let settings: @Sendable () -> UpstreamSettings

    /// The message every "no key" error carries: it tells the operator exactly what to do.
    public static let noKeyMessage =
        "no upstream API key: set OPENROUTER_API_KEY or upstream.api_key_file in the config (or run `make demo` for a local fake)"

    public init(client: CurlClient, settings: @escaping @Sendable () -> UpstreamSettings) {
        self.client = client
        self.settings = settings
    }

    public func call(_ request: UpstreamChatRequest) -> any UpstreamCall {
        let s = settings()
        guard let key = s.apiKey, !key.isEmpty else {
            return UpstreamEventQueue.failed(UpstreamFailure(code: "no_api_key", message: Self.noKeyMessage, retryable: false))
        }
        var body = request.body
        body.stream = true
        let bytes: [UInt8]
        do { bytes = try body.jsonBytes() } catch {
            return UpstreamEventQueue.failed(UpstreamFailure(code: "invalid_request", message: "cannot encode the request: \(error)", retryable: false))
        }
        var headers = Self.headers(s, key: key, requestID: request.requestID)
        headers.append(("Content-Type", "application/json"))
        headers.append(("Accept", "text/event-stream"))
        var curlRequest = Self.curlRequest(s, path: "/chat/completions", method: "POST", headers: headers, body: bytes)
        // A completion streams events of a few hundred bytes, each read as it comes: 4 KiB holds a burst of them,
        // and each open stream keeps 12 KiB less than with libcurl's 16 KiB.
        curlRequest.receiveBufferSize = 4096
        return OpenRouterCall(transfer: client.start(curlRequest))
    }

    public func listModels() async throws -> [ModelInfo] {
        let s = settings()
        let headers = s.apiKey.map { Self.headers(s, key: $0, requestID: nil) } ?? []
        let answer = try await client.fetch(Self.curlRequest(s, path: "/models", method: "GET", headers: headers, body: nil), maxBytes: 32 << 20)
        guard answer.status == 200 else {
            throw UpstreamFailure(code: "upstream_\(answer.status)", message: "GET /models answered \(answer.status)", httpStatus: answer.status, retryable: true)
        }
        // Ids and names come from the upstream like any answer text: the key, echoed in them, goes no further.
        let variants = NTLogging.redactor.variants
        return try ModelInfo.parseModelsResponse(answer.body).map { model in
            var model = model
            model.id = variants.redact(model.id)
            model.name = variants.redact(model.name)
            return model
        }
    }

    static func headers(_ s: UpstreamSettings, key: String, requestID: String?) -> [(String, String)] {
        var headers = [("Authorization", "Bearer \(key)")]
        if let referer = s.referer, !referer.isEmpty { headers.append(("HTTP-Referer", referer)) }
        if let title = s.title, !title.isEmpty {
            headers.append(("X-OpenRouter-Title", title))
            headers.append(("X-Title", title))
        }
        if let requestID { headers.append(("X-Request-ID", requestID)) }
        return headers
    }

    static func curlRequest(_ s: UpstreamSettings, path: String, method: String, headers: [(String, String)], body: [UInt8]?) -> CurlRequest {
        var base = s.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        var request = CurlRequest(url: base + path)
        request.method = method
        request.headers = headers
        request.body = body
        request.connectTimeout = s.connectTimeout
        request.firstByteTimeout = s.firstByteTimeout
        request.idleTimeout = s.idleTimeout
        request.totalTimeout = s.totalTimeout
        request.caFile = s.caFile
        return request
    }
}
