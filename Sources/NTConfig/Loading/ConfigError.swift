/// One problem with the configuration, pointing at where the operator can fix it.
///
/// Printed as `file:line: message` for problems in the file (line 0 when the file as a whole is at fault, such as
/// "cannot read"), or as `environment NAME: message` when an environment variable carried the bad value.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration file the problem is in (or the file being loaded, for environment problems).
    public let file: String
    /// 1-based line of the offending key; 0 when no line applies.
    public let line: Int
    /// What is wrong, in words an operator can act on; includes a did-you-mean suggestion where one exists.
    public let message: String
    /// The environment variable that carried the bad value, if it came from the environment.
    public let variable: String?

    /// An error at a line of a file.
    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
        self.variable = nil
    }

    /// An error in the value of an environment variable.
    public init(variable: String, file: String, message: String) {
        self.file = file
        self.line = 0
        self.message = message
        self.variable = variable
    }

    /// `file:line: message`, or `environment NAME: message` for an environment variable.
    public var description: String {
        if let variable { return "environment \(variable): \(message)" }
        return "\(file):\(line): \(message)"
    }
}

/// Every problem found in one load, in file order, then environment problems.
///
/// A load reports all problems at once, so an operator fixes the file in one round rather than one error per try.
public struct ConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// The individual problems; never empty when thrown.
    public let errors: [ConfigError]

    /// Wraps the problems of one load; pass them in the order they should be shown.
    public init(_ errors: [ConfigError]) { self.errors = errors }

    /// One problem per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
