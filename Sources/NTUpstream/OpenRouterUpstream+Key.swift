import NTChat
import NTCurl
import NTLog

extension OpenRouterUpstream {
    /// The longest a key check may take; it runs in the background, but a stuck one would delay the next.
    static let keyCheckTimeout = Duration.seconds(15)

    /// Asks the upstream about the configured key (`GET {base_url}/key` with the key as bearer token) and turns
    /// the answer into a verdict. Never throws: a transport failure is `unknown`, not `invalid`.
    public func checkKey() async -> UpstreamKeyStatus {
        let s = settings()
        var status: UpstreamKeyStatus
        if let key = s.apiKey, !key.isEmpty {
            var request = Self.curlRequest(s, path: "/key", method: "GET", headers: Self.headers(s, key: key, requestID: nil), body: nil)
            request.firstByteTimeout = min(request.firstByteTimeout, Self.keyCheckTimeout)
            request.idleTimeout = min(request.idleTimeout, Self.keyCheckTimeout)
            request.totalTimeout = min(request.totalTimeout, Self.keyCheckTimeout)
            do {
                let answer = try await client.fetch(request, maxBytes: 1 << 20)
                status = UpstreamKeyStatus.from(status: answer.status, body: answer.body)
            } catch let error as CurlError {
                status = UpstreamKeyStatus(state: .unknown, detail: "upstream unreachable (\(OpenRouterCall.Decoding.failure(for: error, sawBytes: false).code))")
            } catch {
                status = UpstreamKeyStatus(state: .unknown, detail: "upstream unreachable")
            }
        } else {
            status = UpstreamKeyStatus(state: .none, detail: "no api key configured")
        }
        status.checkedAt = LogTimestamp.now().rfc3339
        return status
    }
}
