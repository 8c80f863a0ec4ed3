#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Keeps what the appliance writes private to its user: conversations, backups and archives are as sensitive as
/// the key, and must not depend on the folder around them for protection.
public enum PrivateFiles {
    /// Sets the process's file-creation mask to 077, so every file the process creates from now on (the database
    /// and its WAL, backups, archives, exports, sockets) is 0600 and every directory 0700, whatever mode the
    /// creating call asked for. Workers inherit it.
    public static func restrictNewFiles() {
        umask(0o077)
    }

    /// Removes the group and other permission bits of each existing file in `paths` that has any; returns the
    /// paths changed, with their previous mode, for the log. Files that do not exist are skipped.
    public static func tighten(_ paths: [String]) -> [(path: String, previousMode: UInt32)] {
        var changed: [(path: String, previousMode: UInt32)] = []
        for path in paths {
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            let mode = UInt32(info.st_mode) & 0o777
            guard mode & 0o077 != 0, chmod(path, mode_t(mode & 0o700)) == 0 else { continue }
            changed.append((path, mode))
        }
        return changed
    }
}
