import NTConfig
import NTLog

/// The log format a process writes, from `log.format`.
///
/// The supervisor makes the choice once, at start: `auto` becomes `text` when its stdout is a terminal and `json`
/// otherwise. It then runs with `NEURAL_TERMINAL_LOG_FORMAT` (the key's own override) set to that choice and
/// hands the workers a configuration holding it, so all four processes write the same format and a SIGHUP, which
/// reads the file with the supervisor's environment, cannot change it half-way.
public enum LogFormatChoice {
    /// `NEURAL_TERMINAL_LOG_FORMAT`: where the supervisor records its choice for its workers and its reloads.
    public static let environmentVariable = ConfigSchema.environmentVariable(for: "log.format") ?? "NEURAL_TERMINAL_LOG_FORMAT"

    /// The format for `setting`; `auto` is decided by `standardOutputIsTerminal`.
    public static func format(_ setting: LogFormatSetting, standardOutputIsTerminal: Bool = StandardOutput.isTerminal) -> LogFormat {
        switch setting {
        case .json: .json
        case .text: .text
        case .auto: LogFormat.automatic(standardOutputIsTerminal: standardOutputIsTerminal)
        }
    }
}
