import Hummingbird
import Logging

/// The request context of every Neural Terminal router: Hummingbird's core storage plus the correlation id.
///
/// The correlation id is set by ``RequestIDMiddleware`` before any other middleware runs; every log line the
/// request causes carries it (as `request_id`), it is echoed in `X-Request-ID`, and later goes upstream too.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The correlation id of this request (taken from a valid `X-Request-ID` or generated).
    public var requestID: String = ""

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// Bodies decoded by the JSON API are capped here; the chat API sets tighter limits per route.
    public var maxUploadSize: Int { 1 << 20 }
}
