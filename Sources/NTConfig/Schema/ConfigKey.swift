/// A setting's value after type conversion, before range checks.
enum ConfigScalar: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
}

/// One key of the schema: its TOML and environment names, type, how it is checked and stored, and what a SIGHUP
/// must do when it changes. The table of these in `ConfigSchema` is the single source of truth for the loader,
/// the environment overrides and the reload plan.
struct ConfigKey: Sendable {
    enum Kind: Sendable {
        case string, integer, float, boolean

        var expected: String {
            switch self {
            case .string: "a string"
            case .integer: "an integer"
            case .float: "a number"
            case .boolean: "true or false"
            }
        }
    }

    let section: String
    let name: String
    let kind: Kind
    let effect: ReloadEffect
    let get: @Sendable (AppConfig) -> ConfigScalar
    /// Checks and stores a value of the right kind; returns the problem ("must be ...") instead of storing.
    let set: @Sendable (inout AppConfig, ConfigScalar) -> String?

    /// `section.name`, as written in messages and docs.
    var path: String { section + "." + name }

    /// `NEURAL_TERMINAL_SECTION_NAME`.
    var environmentName: String { "NEURAL_TERMINAL_" + section.uppercased() + "_" + name.uppercased() }

    /// Converts a TOML value to this key's kind; integers are accepted where a number is expected.
    func scalar(from value: TOMLValue.Kind) -> Result<ConfigScalar, Problem> {
        switch (kind, value) {
        case (.string, .string(let s)): return .success(.string(s))
        case (.integer, .integer(let i)): return .success(.integer(Int(i)))
        case (.float, .float(let d)): return .success(.float(d))
        case (.float, .integer(let i)): return .success(.float(Double(i)))
        case (.boolean, .boolean(let b)): return .success(.boolean(b))
        case (.boolean, .string(let s)) where s == "true" || s == "false":
            return .failure(Problem("must be true or false, not a string (remove the quotes)"))
        case (.integer, .string(let s)) where Int(s) != nil,
             (.float, .string(let s)) where Double(s) != nil:
            return .failure(Problem("must be \(kind.expected), not a string (remove the quotes)"))
        case (.string, .integer), (.string, .float), (.string, .boolean):
            return .failure(Problem("must be a string, not \(TOMLValue(value, line: 0).typeDescription) (put it in quotes)"))
        default:
            return .failure(Problem("must be \(kind.expected), not \(TOMLValue(value, line: 0).typeDescription)"))
        }
    }

    /// Converts an environment variable's text to this key's kind.
    func scalar(fromEnvironment text: String) -> Result<ConfigScalar, Problem> {
        switch kind {
        case .string:
            return .success(.string(text))
        case .integer:
            guard let i = Int(text) else { return .failure(Problem("must be an integer (got '\(text)')")) }
            return .success(.integer(i))
        case .float:
            guard let d = Double(text) else { return .failure(Problem("must be a number (got '\(text)')")) }
            return .success(.float(d))
        case .boolean:
            switch text {
            case "true", "1": return .success(.boolean(true))
            case "false", "0": return .success(.boolean(false))
            default: return .failure(Problem("must be true or false (got '\(text)')"))
            }
        }
    }

    /// A problem message meant to follow the key's name.
    struct Problem: Error, Equatable {
        let text: String
        init(_ text: String) { self.text = text }
    }
}

extension ConfigKey {
    static func string(
        _ section: String, _ name: String, _ keyPath: any WritableKeyPath<AppConfig, String> & Sendable,
        _ effect: ReloadEffect, check: @escaping @Sendable (String) -> String? = { _ in nil }
    ) -> ConfigKey {
        ConfigKey(section: section, name: name, kind: .string, effect: effect, get: { .string($0[keyPath: keyPath]) }) { config, scalar in
            guard case .string(let value) = scalar else { return "must be a string" }
            if let problem = check(value) { return problem }
            config[keyPath: keyPath] = value
            return nil
        }
    }

    static func integer(
        _ section: String, _ name: String, _ keyPath: any WritableKeyPath<AppConfig, Int> & Sendable,
        _ effect: ReloadEffect, range: ClosedRange<Int>
    ) -> ConfigKey {
        ConfigKey(section: section, name: name, kind: .integer, effect: effect, get: { .integer($0[keyPath: keyPath]) }) { config, scalar in
            guard case .integer(let value) = scalar else { return "must be an integer" }
            guard range.contains(value) else {
                return "must be between \(range.lowerBound) and \(range.upperBound) (got \(value))"
            }
            config[keyPath: keyPath] = value
            return nil
        }
    }

    /// `true` or `false`.
    static func boolean(
        _ section: String, _ name: String, _ keyPath: any WritableKeyPath<AppConfig, Bool> & Sendable, _ effect: ReloadEffect
    ) -> ConfigKey {
        ConfigKey(section: section, name: name, kind: .boolean, effect: effect, get: { .boolean($0[keyPath: keyPath]) }) { config, scalar in
            guard case .boolean(let value) = scalar else { return "must be true or false" }
            config[keyPath: keyPath] = value
            return nil
        }
    }

    /// A number in `range`; with `aboveZero`, the lower bound 0 itself is excluded ("> 0").
    static func float(
        _ section: String, _ name: String, _ keyPath: any WritableKeyPath<AppConfig, Double> & Sendable,
        _ effect: ReloadEffect, range: ClosedRange<Double>, aboveZero: Bool = false
    ) -> ConfigKey {
        ConfigKey(section: section, name: name, kind: .float, effect: effect, get: { .float($0[keyPath: keyPath]) }) { config, scalar in
            guard case .float(let value) = scalar else { return "must be a number" }
            guard range.contains(value), !(aboveZero && value == 0) else {
                let lower = aboveZero ? "greater than 0" : "between \(format(range.lowerBound))"
                let joiner = aboveZero ? " and at most " : " and "
                return "must be \(lower)\(joiner)\(format(range.upperBound)) (got \(format(value)))"
            }
            config[keyPath: keyPath] = value
            return nil
        }
    }

    /// `10` rather than `10.0` for whole numbers, so messages read like the file.
    static func format(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }
}
