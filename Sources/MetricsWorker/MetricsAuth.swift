import Hummingbird
import Logging
import NTHTTP
import NTSystem

/// The bearer-token check of `/metrics` (`metrics.bearer_token_file`), for Prometheus' `authorization` /
/// `bearer_token_file` scrape settings.
enum MetricsAuth {
    /// nil when the request may read `/metrics` (no token configured, or the right one presented, compared in
    /// constant time); otherwise the 401 to send, with `WWW-Authenticate: Bearer` as RFC 6750 asks. The refusal
    /// is logged without the presented value.
    static func refusal(_ headers: HTTPFields, token: String?, logger: Logger) -> Response? {
        guard let token else { return nil }
        let presented = BearerToken.presented(in: headers)
        if let presented, ConstantTime.equals(presented, token) { return nil }
        logger.notice("metrics scrape refused", metadata: ["reason": "\(presented == nil ? "no bearer token" : "wrong bearer token")"])
        var response = JSONBody.response(
            ["error": ["code": "unauthorized", "message": "/metrics needs Authorization: Bearer <metrics.bearer_token_file's token>"]],
            status: .unauthorized
        )
        response.headers[.wwwAuthenticate] = presented == nil ? #"Bearer realm="metrics""# : #"Bearer realm="metrics", error="invalid_token""#
        return response
    }
}
