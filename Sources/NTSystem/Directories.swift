#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Directory creation shared by the supervisor, the CLI and the backup engine.
public enum Directories {
    /// Creates `path` and its missing parents, like `mkdir -p`, owner-only (0700) for what the appliance creates.
    public static func create(_ path: String) throws(SystemError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw SystemError("mkdir(\(current))")
            }
        }
    }
}
