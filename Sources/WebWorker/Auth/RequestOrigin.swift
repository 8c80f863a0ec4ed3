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

    /// Whether `host` (`name[:port]`, `[v6][:port]`) names this machine: `localhost`, 127.0.0.0/8 or `::1`.
    /// Any other name is refused, even one that resolves to 127.0.0.1: that is exactly what DNS rebinding does.
    static func isLoopback(host: String) -> Bool {
        var text = host.lowercased()
        let hasPort: Bool
        if text.hasPrefix("[") {
            hasPort = text.split(separator: "]", maxSplits: 1).dropFirst().first?.hasPrefix(":") ?? false
        } else {
            hasPort = text.contains(":")
        }
        if !hasPort { text += ":80" }
        if text.hasPrefix("localhost.:") { text = "localhost" + text.dropFirst("localhost.".count) }
        return (try? ListenAddress(parsing: text))?.isLoopback ?? false
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
        if let origin = request.headers[.origin] {
            claimed = origin
        } else if let referer = request.headers[.referer] {
            claimed = origin(ofURL: referer) ?? referer
        } else {
            return .absent
        }
        var allowed: [String] = []
        if let host = host(of: request) { allowed += ["http://" + host, "https://" + host] }
        if let origin = origin(ofURL: publicURL) { allowed.append(origin) }
        let normalized = claimed.lowercased()
        return allowed.contains { $0.lowercased() == normalized } ? .sameOrigin : .crossSite(String(claimed.prefix(200)))
    }

    /// `scheme://authority` of an absolute http(s) URL, or nil.
    static func origin(ofURL url: String) -> String? {
        let lower = url.lowercased()
        guard let scheme = ["http", "https"].first(where: { lower.hasPrefix($0 + "://") }) else { return nil }
        let rest = url.dropFirst(scheme.count + 3)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return authority.isEmpty ? nil : scheme + "://" + authority
    }

    /// Methods that change nothing; everything else needs the origin check.
    static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
    }
}
