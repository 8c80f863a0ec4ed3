#if canImport(Glibc)
import Glibc
#endif
import NTSystem

/// The POSIX file operations backups, archives and exports share (durable writes, renames, bounded reads), each
/// throwing ``FileError/io(operation:path:errno:)``.
public enum FileOps {
    /// The chunk size of every streaming read (bounded memory whatever the file size).
    public static let chunk = 1 << 20

    public static func openRead(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError.io(operation: "open", path: path, errno: errno) }
        return fd
    }

    /// Creates a new file (mode 0600); fails if it exists.
    public static func createNew(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileError.io(operation: "create", path: path, errno: errno) }
        return fd
    }

    public static func writeAll(_ fd: Int32, _ base: UnsafeRawPointer, _ count: Int, path: String) throws {
        var done = 0
        while done < count {
            let n = write(fd, base + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError.io(operation: "write", path: path, errno: errno)
            }
            done += n
        }
    }

    /// Reads up to `count` bytes; 0 at the end of the file.
    public static func read(_ fd: Int32, into base: UnsafeMutableRawPointer, count: Int, path: String) throws -> Int {
        while true {
            let n = Glibc.read(fd, base, count)
            if n >= 0 { return n }
            if errno != EINTR { throw FileError.io(operation: "read", path: path, errno: errno) }
        }
    }

    public static func sync(_ fd: Int32, path: String) throws {
        guard fsync(fd) == 0 else { throw FileError.io(operation: "fsync", path: path, errno: errno) }
    }

    /// Makes a rename or unlink in `directory` durable.
    public static func syncDirectory(_ directory: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError.io(operation: "open", path: directory, errno: errno) }
        defer { close(fd) }
        try sync(fd, path: directory)
    }

    /// Atomically replaces `to` with `from` (same file system).
    public static func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw FileError.io(operation: "rename", path: "\(from) -> \(to)", errno: errno) }
    }

    /// Gives the file at `existing` a second name `new` (a hard link; fails if `new` exists). The file is never
    /// without a name, unlike a rename away and back.
    public static func link(_ existing: String, _ new: String) throws {
        guard Glibc.link(existing, new) == 0 else { throw FileError.io(operation: "link", path: "\(existing) -> \(new)", errno: errno) }
    }

    /// Removes a file if it exists.
    public static func remove(_ path: String) {
        unlink(path)
    }

    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// The size of a file in bytes, or nil if it cannot be read.
    public static func size(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    /// Bytes available to an unprivileged writer on the file system holding `path`.
    public static func freeBytes(_ path: String) -> Int? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int(info.f_bavail) * Int(info.f_frsize)
    }

    /// Creates `path` and its parents (mode 0700) if missing.
    public static func makeDirectories(_ path: String) throws {
        do {
            try Directories.create(path)
        } catch {
            throw FileError.io(operation: "mkdir", path: path, errno: error.code)
        }
    }

    /// The names in a directory (no `.` and `..`).
    public static func list(_ directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Reads a whole small file (a manifest).
    public static func readSmall(_ path: String, limit: Int = 1 << 20) throws -> [UInt8] {
        let fd = try openRead(path)
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while bytes.count < limit {
            let n = try buffer.withUnsafeMutableBytes { (raw) throws -> Int in
                try read(fd, into: raw.baseAddress!, count: raw.count, path: path)
            }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return bytes
    }

    /// Writes a small file durably: to `path`, fsynced (the caller renames it into place).
    public static func writeSmall(_ path: String, _ bytes: [UInt8]) throws {
        let fd = try createNew(path)
        defer { close(fd) }
        try bytes.withUnsafeBytes { (raw) throws in
            try writeAll(fd, raw.baseAddress!, raw.count, path: path)
        }
        try sync(fd, path: path)
    }
}
