import Synchronization

/// The process-wide `Redactor` used by log handlers, replaceable at run time.
///
/// After a config reload changes the API key or the admin password, call `setSecrets(_:)` (or
/// `NTLogging.setSecrets(_:)`) so lines written from then on redact the new values. Lines are formatted with
/// the redactor current when they are written; the swap is atomic, never half-applied.
public final class RedactionControl: Sendable {
    /// The control that handlers use unless given another (tests pass their own).
    public static let shared = RedactionControl(Redactor(secrets: []))

    private let current: Mutex<Redactor>

    /// A control starting with `redactor`.
    public init(_ redactor: Redactor) {
        current = Mutex(redactor)
    }

    /// The redactor in force now. Other code that must scrub text the same way as the logs (the chat
    /// engine's stored error messages, for instance) reads it from here.
    public var redactor: Redactor {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }

    /// Replaces the configured secrets; the built-in patterns (keys, tokens, emails, phones, cards) stay.
    public func setSecrets(_ secrets: [String]) {
        let redactor = Redactor(secrets: secrets)
        current.withLock { $0 = redactor }
    }
}
