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

/// Wakes a reaper when a child has ended, without polling: a thread of its own blocks in `waitid(WNOWAIT)`, which
/// returns once some child is a zombie but leaves it for the reaper to collect. ``childEnded()`` returns when
/// that happened; the thread waits again only after the next call, when the reaper has collected what ended.
/// (Swift's signal sources would need SIGCHLD ignored, and an ignored SIGCHLD makes the kernel reap children
/// itself, losing their exit status.) With no child at all, the thread checks again every 100 ms.
public final class ChildExitWatch: Sendable {
    /// Raised by the thread when a child has ended.
    private let ended = WakeSignal()
    /// Posted once per ``childEnded()`` call: the thread may wait for the next ending.
    private nonisolated(unsafe) let armed: UnsafeMutablePointer<sem_t>

    public init() {
        armed = .allocate(capacity: 1)
        sem_init(armed, 0, 0)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { context -> UnsafeMutableRawPointer? in
            _ = nt_set_process_name("nt-reaper")
            Unmanaged<ChildExitWatch>.fromOpaque(context!).takeRetainedValue().watch()
        }, context)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        pthread_detach(thread)
    }

    /// Returns once a child has ended since the previous call (at once if one had), or when the task is cancelled.
    public func childEnded() async {
        sem_post(armed)
        await ended.wait()
    }

    private func watch() -> Never {
        while true {
            while sem_wait(armed) != 0 && errno == EINTR {}
            while true {
                var info = siginfo_t()
                if waitid(P_ALL, 0, &info, WEXITED | WNOWAIT) == 0 { break }
                if errno == EINTR { continue }
                usleep(100_000)
            }
            ended.raise()
        }
    }
}
