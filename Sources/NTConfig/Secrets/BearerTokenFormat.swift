/// The rules for the metrics bearer token (`metrics.bearer_token_file`).
///
/// Printable ASCII without spaces, because it travels in an `Authorization: Bearer` header; at least 16
/// characters, because a short token is guessable and because the log redactor ignores configured secrets
/// shorter than 8 bytes (it would match ordinary words), so a short token could not be kept out of the logs.
public enum BearerTokenFormat {
    /// The shortest token accepted.
    public static let minimumLength = 16

    /// Why a token must be refused, as a phrase that follows "the token"; nil when it may be used.
    public static func refusal(of token: String) -> String? {
        if token.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) { return "must be on a single line" }
        guard token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return "must be printable ASCII without spaces or control characters"
        }
        if token.utf8.count < minimumLength {
            return "is too short (\(token.utf8.count) characters; at least \(minimumLength), e.g. `openssl rand -hex 32`)"
        }
        return nil
    }
}
