#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser

/// Standard output, or a file. A new or regular file is written as `FILE.partial` and renamed into place by
/// ``commit()``, so a failed export never leaves a truncated file under the requested name; anything else (a
/// device such as /dev/null, a pipe, a symbolic link) is written in place and never replaced.
final class OutputFile {
    let path: String
    let fd: Int32
    /// Whether the output goes to `FILE.partial` and is renamed at the end.
    let replaces: Bool
    var isStandardOutput: Bool { path == "-" }
    private var partial: String { path + ".partial" }

    init(path: String) throws {
        self.path = path
        if path == "-" {
            fd = 1
            replaces = false
            return
        }
        var info = stat()
        let exists = lstat(path, &info) == 0
        replaces = !exists || (info.st_mode & S_IFMT) == S_IFREG
        fd = replaces
            ? open(path + ".partial", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            : open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else {
            printError("cannot write \(replaces ? partial : path): \(String(cString: strerror(errno)))")
            throw ExitCode(Exit.cannotCreate)
        }
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                printError("cannot write \(isStandardOutput ? "standard output" : replaces ? partial : path): \(String(cString: strerror(errno)))")
                throw ExitCode(Exit.cannotCreate)
            }
            offset += n
        }
    }

    /// Flushes the file to disk and gives it its name.
    func commit() throws {
        guard !isStandardOutput else { return }
        guard replaces else {
            close(fd)
            return
        }
        guard fsync(fd) == 0, close(fd) == 0, rename(partial, path) == 0 else {
            printError("cannot finish \(path): \(String(cString: strerror(errno)))")
            throw ExitCode(Exit.cannotCreate)
        }
    }

    /// Removes the partial file after a failure.
    func discard() {
        guard !isStandardOutput else { return }
        close(fd)
        if replaces { unlink(partial) }
    }
}

/// A file (or standard input) read in chunks of 1 MiB.
final class InputFile {
    let fd: Int32
    /// The size of a regular file, for the progress bar.
    let size: Int?
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)

    init(path: String) throws {
        fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            printError("cannot open \(path): \(String(cString: strerror(errno)))")
            throw ExitCode(Exit.noInput)
        }
        var info = stat()
        size = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : nil
    }

    deinit {
        if fd > 0 { close(fd) }
    }

    /// The next chunk, or nil at the end.
    func read() throws -> [UInt8]? {
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n > 0 { return Array(buffer[0..<n]) }
            if n == 0 { return nil }
            if errno == EINTR { continue }
            printError("cannot read: \(String(cString: strerror(errno)))")
            throw ExitCode(Exit.noInput)
        }
    }
}
