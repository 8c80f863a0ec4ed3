#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CNTSupport

/// Blocking whole-buffer reads and writes on raw descriptors, for the short hand-offs between supervisor and
/// worker at spawn time (the config travels over a pipe, never through argv or the environment).
public enum FileDescriptorIO {
    /// Creates a pipe with both ends close-on-exec.
    public static func makePipe() throws(SystemError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard nt_pipe_cloexec(&fds) == 0 else { throw SystemError("pipe2") }
        return (fds[0], fds[1])
    }

    /// Writes every byte, retrying short writes and `EINTR`.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("write")
            }
            offset += n
        }
    }

    /// Reads until end of file, up to `limit` bytes.
    public static func readAll(_ fd: Int32, limit: Int = 16 << 20) throws(SystemError) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while result.count < limit {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("read")
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    /// Reads a whole small file (e.g. under /proc), or nil if it cannot be opened.
    public static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return try? readAll(fd)
    }
}
