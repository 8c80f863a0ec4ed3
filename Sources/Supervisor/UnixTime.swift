#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time in seconds since the Unix epoch, for uptimes and `status` (monotonic time drives timers).
enum UnixTime {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// Directory creation with the parents, like `mkdir -p`, owner-only for what the appliance creates.
enum Directories {
    static func create(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw SystemErrorDescription("mkdir \(current): \(String(cString: strerror(errno)))")
            }
        }
    }
}

struct SystemErrorDescription: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
