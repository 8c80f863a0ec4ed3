#if canImport(Glibc)
import Glibc
#endif

/// Whether a process runs on this host, asked with signal 0 (nothing is sent).
public enum ProcessLiveness {
    /// True when `pid` names a live process, including one this process may not signal (EPERM); false for a pid
    /// that is not positive or beyond 32 bits (`kill` must never see 0 or -1: they name process groups).
    public static func isAlive(_ pid: Int) -> Bool {
        guard let pid = Int32(exactly: pid), pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
