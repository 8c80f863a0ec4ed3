import Logging
import Synchronization

/// The log level of the whole process, changeable at run time (SIGHUP, an admin request).
///
/// Every `LineLogHandler` reads its `logLevel` from here instead of keeping its own copy, so one assignment,
/// `LogLevelControl.shared.level = .debug`, changes the level of every `Logger` in the process at once,
/// including loggers already created and stored by libraries. The flip side: setting `logger.logLevel` on
/// any one `Logger` whose handler uses the shared control changes the level for the whole process too.
///
/// Reads are a single relaxed atomic load, cheap enough for the check `Logger` makes before every message.
public final class LogLevelControl: Sendable {
    /// The control that handlers use unless given another (tests pass their own).
    public static let shared = LogLevelControl(.info)

    private let rawLevel: Atomic<UInt8>

    /// A control starting at `level`.
    public init(_ level: Logger.Level = .info) {
        rawLevel = Atomic(Self.encode(level))
    }

    /// The current level; messages below it are dropped by `Logger` before they are formatted.
    public var level: Logger.Level {
        get { Self.decode(rawLevel.load(ordering: .relaxed)) }
        set { rawLevel.store(Self.encode(newValue), ordering: .relaxed) }
    }

    private static func encode(_ level: Logger.Level) -> UInt8 {
        switch level {
        case .trace: 0
        case .debug: 1
        case .info: 2
        case .notice: 3
        case .warning: 4
        case .error: 5
        case .critical: 6
        }
    }

    private static func decode(_ raw: UInt8) -> Logger.Level {
        switch raw {
        case 0: .trace
        case 1: .debug
        case 2: .info
        case 3: .notice
        case 4: .warning
        case 5: .error
        default: .critical
        }
    }
}
