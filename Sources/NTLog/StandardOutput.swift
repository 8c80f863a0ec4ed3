#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Writes whole log lines to file descriptor 1.
///
/// Each line goes out in one `write(2)` call: the supervisor and its workers share one stdout pipe, and the
/// kernel keeps a single write of up to `PIPE_BUF` (4096) bytes to a pipe in one piece, so lines from
/// different processes do not interleave. Longer lines are still written with one call, but a pipe may then
/// split them. Within this process a lock keeps lines whole whatever their length, also when a write comes
/// back partial. Interrupted writes (`EINTR`) are retried; a non-blocking stdout that is full is waited for
/// (up to a second per attempt); on any other error the line is dropped, because there is nowhere left to
/// report it. The process should ignore `SIGPIPE` (the supervisor does) so a closed stdout is an `EPIPE`
/// error here rather than a crash.
public enum StandardOutput {
    private static let lock = Mutex<Void>(())

    /// Whether file descriptor 1 is a terminal (what `LogFormat.automatic` and colours go by).
    public static var isTerminal: Bool {
        isatty(1) == 1
    }

    /// Writes `line` (which should end in `\n`) to stdout; see the type's notes for the guarantees.
    public static func writeLine(_ line: [UInt8]) {
        lock.withLock { _ in
            line.withUnsafeBytes { _ = writeFully(fileDescriptor: 1, $0) }
        }
    }

    /// Writes all of `bytes` to `fileDescriptor` in as few `write(2)` calls as the kernel allows (one, for a
    /// pipe with room), retrying after `EINTR`, partial writes and `EAGAIN`. Returns false if the bytes could
    /// not all be written (the caller decides whether that matters; for log lines it does not). No lock.
    public static func writeFully(fileDescriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var offset = 0
        while offset < bytes.count {
            let written = write(fileDescriptor, base + offset, bytes.count - offset)
            if written > 0 {
                offset += written
                continue
            }
            let error = errno
            if written < 0 && error == EINTR { continue }
            if written < 0 && (error == EAGAIN || error == EWOULDBLOCK) {
                var waiter = pollfd(fd: fileDescriptor, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&waiter, 1, 1000)
                if ready > 0 || (ready < 0 && errno == EINTR) { continue }
            }
            return false
        }
        return true
    }
}
