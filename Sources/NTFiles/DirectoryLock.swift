#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock on a directory (`flock` on its `.lock` file), held until ``release()`` or the
/// process ends: one backup run or one archive run per directory, across processes.
public final class DirectoryLock: @unchecked Sendable {
    private var fd: Int32

    /// Takes the lock on `<directory>/.lock` without waiting; throws ``FileError/busy(directory:)`` if held.
    public init(directory: String) throws {
        let path = directory + "/.lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileError.io(operation: "open", path: path, errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw FileError.busy(directory: directory)
        }
    }

    public func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
