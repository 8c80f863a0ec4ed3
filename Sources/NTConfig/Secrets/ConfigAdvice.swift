#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Warnings about a valid configuration that is risky or probably wrong: things an operator should hear about
/// at start (logged by the supervisor at `warning`), on every reload, and from `neural-terminal check-config`,
/// but that must not stop the appliance.
///
/// None of them contains a secret: key files are named by path, keys by `APIKeyFormat.fingerprint(of:)`.
public enum ConfigAdvice {
    /// Every warning for `config`, in a stable order. `environment` tells whether the key came from
    /// `OPENROUTER_API_KEY` (then the key file is not read and its permissions do not matter).
    public static func warnings(for config: AppConfig, environment: [String: String]) -> [String] {
        var warnings: [String] = []
        if let key = config.upstreamAPIKey, let warning = APIKeyFormat.shapeWarning(key: key, baseURL: config.upstream.baseURL) {
            warnings.append(warning)
        }
        let keyFromEnvironment = !(environment["OPENROUTER_API_KEY"] ?? "").isEmpty
        if !keyFromEnvironment, let warning = permissionWarning("upstream.api_key_file", path: config.upstream.apiKeyFile) {
            warnings.append(warning)
        }
        if let warning = permissionWarning("metrics.bearer_token_file", path: config.metrics.bearerTokenFile) {
            warnings.append(warning)
        }
        if let warning = openMetricsWarning(config) { warnings.append(warning) }
        if let warning = dataDirectoryWarning(config) { warnings.append(warning) }
        return warnings
    }

    /// A data folder that the group or others may enter or read: the appliance makes its files there 0600, but
    /// files copied in by hand (a restored database, an old install's files) would be as open as the folder.
    static func dataDirectoryWarning(_ config: AppConfig) -> String? {
        let path = config.storage.dataDir
        guard let mode = permissionBits(of: path), mode & 0o077 != 0 else { return nil }
        return "storage.data_dir '\(path)' is accessible to group or others (mode 0\(String(mode, radix: 8))); it holds "
            + "every conversation: chmod 700 '\(path)'"
    }

    /// `/metrics` served without a token on an address other hosts can reach.
    static func openMetricsWarning(_ config: AppConfig) -> String? {
        guard config.metricsBearerToken == nil, let address = try? ListenAddress(parsing: config.metrics.listen),
              !address.isLoopback else { return nil }
        return "metrics.listen (\(address)) is not a loopback address and metrics.bearer_token_file is not set: "
            + "anyone who can reach it can read /metrics (request counts, models, spend and budgets). Set "
            + "metrics.bearer_token_file, or listen on 127.0.0.1 and firewall the port"
    }

    /// A secret file that the group or others may read (a shared host's other users could take the secret).
    static func permissionWarning(_ keyPath: String, path: String) -> String? {
        guard !path.isEmpty, let mode = permissionBits(of: path), mode & 0o077 != 0 else { return nil }
        let octal = String(mode, radix: 8)
        return "\(keyPath) '\(path)' is readable or writable by group or others (mode 0\(octal)); "
            + "make it private to the appliance's user: chmod 600 '\(path)'"
    }

    /// The permission bits of `path` (following symlinks), or nil when it cannot be examined.
    static func permissionBits(of path: String) -> UInt32? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt32(info.st_mode) & 0o777
    }
}
