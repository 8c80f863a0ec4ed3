#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Small, allocation-light readers for Linux `/proc`, used by ``ProcessStats``.
///
/// Everything here answers `nil` instead of throwing: a process can exit between any two reads, and the
/// metrics path must never fail a scrape because a worker just restarted.
enum ProcFS {
    /// Bytes per memory page, as the kernel counts pages in `/proc/PID/statm`.
    static let pageSize: UInt64 = {
        let size = sysconf(Int32(_SC_PAGESIZE))
        return size > 0 ? UInt64(size) : 4096
    }()

    /// Clock ticks per second, the unit of the CPU and start-time fields of `/proc/PID/stat`.
    static let clockTicksPerSecond: Double = {
        let ticks = sysconf(Int32(_SC_CLK_TCK))
        return ticks > 0 ? Double(ticks) : 100
    }()

    /// The system boot time in Unix epoch seconds (`btime` in `/proc/stat`); constant while the system runs.
    static let bootTimeSeconds: Double? = {
        guard let text = readText("/proc/stat") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst("btime ".count).trimmingSpaces())
        }
        return nil
    }()

    /// The whole content of a (small, virtual) file, or `nil` if it cannot be opened or read.
    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    /// ``readFile(_:)`` decoded as UTF-8 (invalid bytes are replaced, which never matters for the numeric files).
    static func readText(_ path: String) -> String? {
        readFile(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The number of entries in a directory, not counting `.` and `..`, or `nil` if it cannot be opened.
    ///
    /// For `/proc/self/fd` the count includes the descriptor used to list the directory itself, exactly as
    /// Prometheus' own client libraries count it.
    static func countEntries(inDirectory path: String) -> Int? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDotOrDotDot = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name[0] == UInt8(ascii: ".")
                    && (name[1] == 0 || (name[1] == UInt8(ascii: ".") && name[2] == 0))
            }
            if !isDotOrDotDot { count += 1 }
        }
        return count
    }
}

extension Substring {
    /// The substring without leading and trailing spaces, tabs and line ends.
    func trimmingSpaces() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
