import HummingbirdBcrypt
import NTConfig
import NTSystem

/// The appliance password: bcrypt hashes (hummingbird-auth's `HummingbirdBcrypt`), the rules a new password must
/// meet, and the fingerprint that ties a browser session to the password it was opened with.
///
/// bcrypt is deliberately slow (cost 12 ≈ a quarter of a second on one core); callers on a request path run
/// `verify` off the event loop and behind the login throttle.
public enum Password {
    /// The bcrypt cost of hashes this binary writes.
    public static let cost: UInt8 = 12
    /// bcrypt reads only the first 72 bytes of a password; longer ones are refused instead of silently cut.
    public static let maxBytes = 72
    /// The shortest password accepted.
    public static let minCharacters = 10

    /// Why `password` cannot become the appliance password, or nil when it can.
    public static func problem(with password: String) -> String? {
        if password.count < minCharacters { return "must be at least \(minCharacters) characters long" }
        if password.utf8.count > maxBytes { return "must be at most \(maxBytes) bytes long (bcrypt ignores the rest)" }
        if password.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "must not contain control characters or line breaks"
        }
        return nil
    }

    /// A new bcrypt hash of `password` (a fresh salt each time).
    public static func hash(_ password: String) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// Whether `password` matches `hash`. A malformed hash never matches.
    public static func verify(_ password: String, hash: String) -> Bool {
        guard isBcryptHash(hash), password.utf8.count <= maxBytes else { return false }
        // `$2y$` (PHP, Apache's htpasswd) is the same algorithm as `$2b$`; the C code knows only the latter.
        let normalized = hash.hasPrefix("$2y$") ? "$2b$" + hash.dropFirst(4) : hash
        return Bcrypt.verify(password, hash: normalized)
    }

    /// Whether `text` is a bcrypt hash this code can verify (`NTConfig.BcryptHashFormat`).
    public static func isBcryptHash(_ text: String) -> Bool {
        BcryptHashFormat.isValid(text)
    }

    /// A short digest of a password hash, stored with each session: when the hash in effect changes, every
    /// session opened under the old one stops validating.
    public static func fingerprint(ofHash hash: String) -> String {
        String(SHA256.hex(of: Array(hash.utf8)).prefix(16))
    }
}
