/// The shape checks of the upstream API key, run at load time (`ConfigLoader`) and by `check-config`.
///
/// Two levels, because an odd-looking key may still be right for an OpenAI-compatible server that is not
/// OpenRouter: whitespace or control characters are refused (the key goes into an HTTP header, where they would
/// break it or inject another header), while a key that does not look like OpenRouter's `sk-or-v1-` + 64 hex
/// digits, when `upstream.base_url` is OpenRouter's, is only a warning. Messages never contain the key: at most
/// its first 8 characters (`sk-or-v1` for every OpenRouter key) and its length, see `fingerprint(of:)`.
public enum APIKeyFormat {
    /// OpenRouter's key prefix.
    public static let openRouterPrefix = "sk-or-v1-"
    /// Hex digits after the prefix in an OpenRouter key.
    public static let openRouterHexDigits = 64

    /// Why a key must be refused, as a phrase that follows "the API key"; nil when it may be used.
    public static func refusal(of key: String) -> String? {
        if key.isEmpty { return "is empty" }
        if key.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) { return "must be on a single line" }
        if key.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
            return "must not contain whitespace or control characters"
        }
        if key.unicodeScalars.contains(where: { !$0.isASCII }) { return "must be ASCII" }
        return nil
    }

    /// True for `sk-or-v1-` followed by exactly 64 hexadecimal digits.
    public static func hasOpenRouterShape(_ key: String) -> Bool {
        guard key.hasPrefix(openRouterPrefix) else { return false }
        let rest = key.utf8.dropFirst(openRouterPrefix.utf8.count)
        return rest.count == openRouterHexDigits && rest.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) || (0x41...0x46).contains(byte)
        }
    }

    /// A warning for a key that does not look like an OpenRouter key while `baseURL` is OpenRouter's; nil when
    /// the key looks right or the upstream is another server (whose keys have other shapes).
    public static func shapeWarning(key: String, baseURL: String) -> String? {
        guard isOpenRouter(baseURL), !hasOpenRouterShape(key) else { return nil }
        return "the upstream API key (\(fingerprint(of: key))) does not look like an OpenRouter key "
            + "('\(openRouterPrefix)' followed by \(openRouterHexDigits) hex digits); OpenRouter will probably "
            + "answer 401. Check OPENROUTER_API_KEY or upstream.api_key_file for a truncated or wrong key"
    }

    /// What may be said about a key in a message: its first 8 characters (only when the key is at least twice
    /// as long, so a short key is never mostly printed) and its length.
    public static func fingerprint(of key: String) -> String {
        let count = key.count
        guard count >= 16 else { return "\(count) characters" }
        return "'\(key.prefix(8))…', \(count) characters"
    }

    /// Whether `baseURL` points at OpenRouter: its host is `openrouter.ai` or a subdomain of it.
    public static func isOpenRouter(_ baseURL: String) -> Bool {
        let host = URLHost.of(baseURL)
        return host == "openrouter.ai" || host.hasSuffix(".openrouter.ai")
    }
}

/// The host of an http(s) URL, lowercased, without port, user info or brackets; "" when there is none.
enum URLHost {
    static func of(_ url: String) -> String {
        let lower = url.lowercased()
        guard let schemeEnd = lower.firstRange(of: "://") else { return "" }
        var authority = lower[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        return String(authority.prefix { $0 != ":" })
    }
}
