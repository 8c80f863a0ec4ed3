#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads with `open`/`read`, so the module needs no Foundation.
enum FileReader {
    /// Refuse anything bigger: a config or key file this large is a mistake (or `/dev/zero`).
    static let maxBytes = 4 << 20

    /// The file's bytes, or the reason they could not be read (`strerror` text).
    static func contents(of path: String) -> Result<[UInt8], FileReadError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(FileReadError(errno: errno)) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return .success(bytes) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(FileReadError(errno: errno))
            }
            bytes.append(contentsOf: chunk[..<count])
            if bytes.count > maxBytes { return .failure(FileReadError(message: "file is larger than 4 MiB")) }
        }
    }
}

/// Why a file could not be read, as `strerror` phrases it ("No such file or directory").
struct FileReadError: Error {
    let message: String

    init(message: String) { self.message = message }

    init(errno code: Int32) {
        message = strerror(code).map { String(cString: $0) } ?? "error \(code)"
    }
}
