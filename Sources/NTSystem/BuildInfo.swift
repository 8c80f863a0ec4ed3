import CNTSupport

/// What `neural-terminal version` and `/api/version` report.
public enum BuildInfo {
    /// The release version of the appliance.
    public static let version = "0.1.0"
    /// The git commit the binary was built from, or "unknown".
    public static var commit: String { String(cString: nt_build_commit()) }
    /// When the binary was built (UTC, ISO 8601), or "unknown".
    public static var buildDate: String { String(cString: nt_build_date()) }
}
