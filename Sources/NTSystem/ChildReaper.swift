#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CNTSupport

/// How a child process ended.
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)

    public init(waitStatus status: Int32) {
        if status & 0x7f == 0 {
            self = .exited((status >> 8) & 0xff)
        } else {
            self = .signalled(status & 0x7f)
        }
    }

    /// True for a clean `exit(0)`.
    public var isSuccess: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): return "exited with status \(code)"
        case .signalled(let signal): return "killed by signal \(signal) (\(String(cString: strsignal(signal))))"
        }
    }
}

/// Reaps children so none is ever left a zombie; works as PID 1, where orphans of any depth arrive too.
public enum ChildReaper {
    /// Collects every child that has ended, without blocking.
    public static func reapExited() -> [(pid: pid_t, status: ExitStatus)] {
        var ended: [(pid_t, ExitStatus)] = []
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid > 0 {
                ended.append((pid, ExitStatus(waitStatus: status)))
                continue
            }
            if pid < 0 && errno == EINTR { continue }
            return ended
        }
    }

    /// Makes this process adopt orphaned descendants (it then reaps them), as PID 1 does by nature.
    public static func becomeSubreaper() {
        _ = nt_set_child_subreaper()
    }

    /// Has the kernel send `signal` to this process when its parent dies: a worker never outlives a
    /// supervisor killed with SIGKILL. Exits at once if the parent is already gone.
    public static func dieWithParent(signal: Int32, expectedParent: pid_t) {
        _ = nt_set_parent_death_signal(signal)
        if getppid() != expectedParent { exit(0) }
    }
}
