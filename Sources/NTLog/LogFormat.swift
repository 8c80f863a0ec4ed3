#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a process writes its log lines: JSON for machines (files, pipes, the journal, containers; the default) or
/// text for a person at a terminal. Both carry the same fields and the same redaction (docs/adr/0004-log-format.md).
public enum LogFormat: String, Sendable, CaseIterable {
    /// One JSON object per line (`JSONLogLine`).
    case json
    /// One readable line per event (`TextLogLine`).
    case text

    /// The format `auto` stands for: text when standard output is a terminal, else JSON.
    public static func automatic(standardOutputIsTerminal: Bool = StandardOutput.isTerminal) -> LogFormat {
        standardOutputIsTerminal ? .text : .json
    }

    /// Whether text lines should be coloured: standard output is a terminal and `NO_COLOR` is unset or empty
    /// (https://no-color.org). JSON lines are never coloured.
    public static func colourWanted(standardOutputIsTerminal: Bool = StandardOutput.isTerminal) -> Bool {
        guard standardOutputIsTerminal else { return false }
        guard let noColour = getenv("NO_COLOR") else { return true }
        return noColour.pointee == 0
    }
}
