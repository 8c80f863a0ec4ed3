import HTTPTypes
import Hummingbird
import NTConfig

/// Where a request claims to come from, for the two checks that keep other web sites out:
/// the `Host` must be a loopback name while `auth.mode = "none"` (DNS rebinding), and a state-changing request
/// carried by a browser cookie must come from a page of this appliance (`Origin`, else `Referer`; CSRF).
enum RequestOrigin {
    /// The `Host` the client asked for (HTTP/1.1 `Host`, HTTP/2 `:authority`).
    static func host(of request: Request) -> String? {
        request.head.authority
    }

    /// Headers a reverse proxy adds. In `auth.mode = "none"` a proxied request means the loopback listener has been
    /// made reachable from elsewhere (the proxy connects from 127.0.0.1 and usually sends a loopback `Host`).
    static let proxyHeaders = ["Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP", "Via"].compactMap { HTTPField.Name($0) }

    /// The first proxy header `request` carries, if any.
    static func proxyHeader(in request: Request) -> String? {
        proxyHeaders.first { request.headers[$0] != nil }?.rawName
    }

    /// What the origin check decided.
    enum Verdict: Equatable {
        /// `Origin` (or `Referer`) names this appliance.
        case sameOrigin
        /// Neither header is present (not a browser, or a very old one).
        case absent
        /// The request comes from another site; the value is what it claimed.
        case crossSite(String)
    }

    /// Compares `Origin` (or, without it, the origin part of `Referer`) with the origins this appliance is reached
    /// at: `http(s)://<Host>` and the origin of `server.public_url`.
    static func verdict(for request: Request, publicURL: String) -> Verdict {
        let claimed: String
        // Fetch metadata: a browser says outright that another site made the request.
        if request.headers[HTTPField.Name("Sec-Fetch-Site")!]?.lowercased() == "cross-site" {
            return .crossSite(request.headers[.origin] ?? "Sec-Fetch-Site: cross-site")
        }
        if let origin = request.headers[.origin] {
            claimed = origin
        } else if let referer = request.headers[.referer] {
            claimed = HTTPURLOrigin(referer)?.origin ?? referer
        } else {
            return .absent
        }
        var allowed: [String] = []
        if let host = host(of: request) { allowed += ["http://" + host, "https://" + host] }
        if let origin = HTTPURLOrigin(publicURL)?.origin { allowed.append(origin) }
        let normalized = normalize(claimed)
        return allowed.contains { normalize($0) == normalized } ? .sameOrigin : .crossSite(String(claimed.prefix(200)))
    }

    /// An origin compared the way browsers write it: lower case, without the scheme's default port.
    static func normalize(_ origin: String) -> String {
        let lower = origin.lowercased()
        for (scheme, port) in [("http://", ":80"), ("https://", ":443")] where lower.hasPrefix(scheme) && lower.hasSuffix(port) {
            return String(lower.dropLast(port.count))
        }
        return lower
    }

    /// Methods that change nothing; everything else needs the origin check.
    static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
    }
}
