import Logging
import Synchronization

/// Process start-up and reconfiguration of logging: JSON or text lines on stdout, one level and one set of
/// secrets for the whole process.
public enum NTLogging {
    private static let bootstrapped = Atomic<Bool>(false)

    /// Makes every `Logger(label:)` in this process write redacted lines to stdout in `format`, tagged with
    /// `worker`.
    ///
    /// Call it first thing in each process (supervisor, each worker, the CLI) before any `Logger` is made:
    /// loggers created earlier keep swift-log's default handler. swift-log allows one bootstrap per process;
    /// this function may be called again safely, but later calls only update the level and the secrets (the
    /// worker name, format and metadata provider of the first call stay).
    ///
    /// - Parameters:
    ///   - worker: The process role written in every line: supervisor, web, metrics, maintenance or cli.
    ///   - level: The process-wide level (`LogLevelControl.shared`); change it later with `setLevel(_:)`.
    ///   - secrets: Exact strings to redact, such as the OpenRouter key; see `Redactor`.
    ///   - format: JSON (the default) or text. The caller decides (the supervisor decides for its workers);
    ///     text lines are coloured when `LogFormat.colourWanted()` says so.
    ///   - metadataProvider: Optional contextual metadata (for example a task-local request id) added to
    ///     every line.
    public static func bootstrap(
        worker: String,
        level: Logger.Level,
        secrets: [String],
        format: LogFormat = .json,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        LogLevelControl.shared.level = level
        RedactionControl.shared.setSecrets(secrets)
        guard bootstrapped.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        let colour = format == .text && LogFormat.colourWanted()
        LoggingSystem.bootstrap(
            { label, provider in
                LineLogHandler(label: label, worker: worker, format: format, colour: colour, metadataProvider: provider)
            },
            metadataProvider: metadataProvider
        )
    }

    /// Whether `bootstrap` has run in this process.
    public static var isBootstrapped: Bool {
        bootstrapped.load(ordering: .acquiring)
    }

    /// Replaces the secrets redacted from every line written from now on (after a config reload, say).
    public static func setSecrets(_ secrets: [String]) {
        RedactionControl.shared.setSecrets(secrets)
    }

    /// Changes the level of every logger in the process at once (for example on SIGHUP).
    public static func setLevel(_ level: Logger.Level) {
        LogLevelControl.shared.level = level
    }

    /// The redactor the logs use now, with the configured secrets, for code that must scrub text the same
    /// way (error messages shown to users, exported diagnostics).
    public static var redactor: Redactor {
        RedactionControl.shared.redactor
    }
}
