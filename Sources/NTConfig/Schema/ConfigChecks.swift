import NTPostgres

/// Value checks shared by schema keys. Each returns the problem as a phrase that follows the key's name
/// ("is not a valid listen address: ..."), or nil when the value is acceptable.
enum ConfigChecks {
    static func listenAddress(_ text: String) -> String? {
        do {
            _ = try ListenAddress(parsing: text)
            return nil
        } catch {
            return "is not a valid listen address: \(error.message)"
        }
    }

    /// An `http://` or `https://` URL with a host; `allowEmpty` for optional URLs.
    static func httpURL(allowEmpty: Bool) -> @Sendable (String) -> String? {
        { text in
            if text.isEmpty { return allowEmpty ? nil : "must be an http or https URL, not empty" }
            guard HTTPURLOrigin(text) != nil else {
                let lower = text.lowercased()
                return lower.hasPrefix("http://") || lower.hasPrefix("https://")
                    ? "must be an http or https URL with a host (got '\(text)')" : "must be an http or https URL (got '\(text)')"
            }
            if text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
                return "must not contain spaces or control characters"
            }
            return nil
        }
    }

    /// Text that goes into an HTTP header: no control characters (CR/LF would allow header injection).
    static func headerValue(_ text: String) -> String? {
        text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }
            ? "must not contain control characters or line breaks" : nil
    }

    /// An HTTP field name (RFC 9110 token: letters, digits and ! # $ % & ' * + - . ^ _ ` | ~), such as `Remote-User`.
    static func headerName(_ text: String) -> String? {
        let allowed = Set("!#$%&'*+-.^_`|~".unicodeScalars)
        let valid = !text.isEmpty && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || allowed.contains($0)
        }
        return valid ? nil : "must be an HTTP header name such as \"Remote-User\" or \"X-Forwarded-User\" "
            + "(letters, digits, hyphens; no spaces or colons; got '\(text.prefix(60))')"
    }

    /// An instance name: empty (the host's name), or up to 64 letters, digits, `.`, `_` and `-` (it becomes a
    /// metrics label value and shows in `runners`).
    static func instanceName(_ text: String) -> String? {
        let allowed = Set("._-".unicodeScalars)
        let valid = text.count <= 64 && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || allowed.contains($0)
        }
        return valid ? nil : "must be at most 64 letters, digits, '.', '_' or '-', such as \"web-1\" (got '\(text.prefix(60))')"
    }

    /// A path that may be empty (meaning "not set") but may not contain NUL bytes.
    static func optionalPath(_ text: String) -> String? {
        text.utf8.contains(0) ? "must not contain NUL characters" : nil
    }

    /// Empty (SQLite) or a PostgreSQL URL that names its user and holds no password.
    static func storageURL(_ text: String) -> String? {
        guard !text.isEmpty else { return nil }
        do {
            _ = try PostgresURL(text)
            return nil
        } catch {
            return "\(error.message) (or leave it empty for the embedded SQLite database)"
        }
    }

    static func requiredPath(_ text: String) -> String? {
        text.isEmpty ? "must not be empty" : optionalPath(text)
    }

    /// Empty, or IP address literals separated by commas.
    static func addressList(_ text: String) -> String? {
        for item in text.split(separator: ",", omittingEmptySubsequences: false) where !text.isEmpty {
            if ClientAddress.canonical(String(item)) == nil {
                return "must be IP addresses separated by commas, e.g. \"127.0.0.1, ::1\" (got '\(item.prefix(60))')"
            }
        }
        return nil
    }

    static func authMode(_ text: String) -> String? {
        if AuthMode(rawValue: text) != nil { return nil }
        return "must be one of \(AuthMode.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(text)')"
    }

    /// Empty, or a bcrypt hash that can verify (`BcryptHashFormat`). The value is never echoed.
    static func passwordHash(_ text: String) -> String? {
        if text.isEmpty || BcryptHashFormat.isValid(text) { return nil }
        return "must be a bcrypt hash ($2b$12$…, 60 characters, cost 04 to 31) such as `neural-terminal passwd --print-hash` prints"
    }

    static func logLevel(_ text: String) -> String? {
        oneOf(LogLevel.allCases.map(\.rawValue), text)
    }

    static func logFormat(_ text: String) -> String? {
        oneOf(LogFormatSetting.allCases.map(\.rawValue), text)
    }

    /// nil when `text` is one of `names`, else the names, what was given and the nearest name if one is near.
    private static func oneOf(_ names: [String], _ text: String) -> String? {
        if names.contains(text) { return nil }
        var problem = "must be one of \(names.joined(separator: ", ")) (got '\(text)')"
        if let guess = DidYouMean.suggestions(for: text, among: names).first { problem += "; did you mean '\(guess)'?" }
        return problem
    }
}
