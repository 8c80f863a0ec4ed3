/// The scheme and authority of an absolute `http://` or `https://` URL — all the appliance needs of a URL: the
/// config checks an upstream or public URL with it, the loopback rule reads `server.public_url`'s host, and the
/// web worker's origin check compares `Origin`/`Referer` with it.
public struct HTTPURLOrigin: Sendable, Equatable {
    /// `http` or `https`, lower case.
    public let scheme: String
    /// `host[:port]` as written (userinfo dropped).
    public let authority: String

    /// nil unless `url` starts with `http://` or `https://` (any case) followed by a non-empty authority.
    public init?(_ url: String) {
        let lower = url.lowercased()
        guard let scheme = ["https", "http"].first(where: { lower.hasPrefix($0 + "://") }) else { return nil }
        let rest = url.dropFirst(scheme.count + 3)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty else { return nil }
        self.scheme = scheme
        self.authority = String(authority.split(separator: "@").last ?? authority)
    }

    /// `scheme://authority`, as a browser's `Origin` header spells a page's origin.
    public var origin: String { scheme + "://" + authority }
}
