#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CNTSupport
import Synchronization

/// Starts a child process with `posix_spawn`, never `fork`.
///
/// `fork()` without `exec` in a process whose threads have started is unsafe; `posix_spawn` does
/// the fork and exec as one step. Every descriptor not named in `descriptors` is closed in the child.
public enum Spawner {
    /// A descriptor of the parent that the child receives as `target` (e.g. a listening socket as fd 3).
    public struct Inherited: Sendable {
        public let source: Int32
        public let target: Int32
        public init(source: Int32, target: Int32) {
            self.source = source
            self.target = target
        }
    }

    /// Spawns `executable` with `arguments` (not counting argv[0], which is `executable`).
    ///
    /// - Parameters:
    ///   - descriptors: fds to hand down; targets must be below 10 and sources at or above 10 (see
    ///     ``ListeningSocket``) so the `dup2`s cannot clobber each other. stdin/stdout/stderr are inherited.
    ///   - newProcessGroup: puts the child in its own process group, so a Ctrl-C at the terminal reaches only the
    ///     supervisor, which then stops the workers in order.
    /// - Returns: the child's pid.
    public static func spawn(
        executable: String,
        arguments: [String],
        environment: [String: String],
        descriptors: [Inherited],
        newProcessGroup: Bool = true
    ) throws(SystemError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for d in descriptors {
            posix_spawn_file_actions_adddup2(&actions, d.source, d.target)
        }
        let firstFree = (descriptors.map(\.target).max() ?? 2) + 1
        nt_spawn_file_actions_addclosefrom(&actions, max(3, firstFree))

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if newProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        var rc: Int32 = 0
        SpawnThread.shared.run { rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp) }
        guard rc == 0 else { throw SystemError("posix_spawn(\(executable))", code: rc) }
        return pid
    }

    /// The path of the running executable, resolved so the child runs the same file even if it is replaced later.
    public static func currentExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The one thread every child process is spawned from, which lives as long as the process.
///
/// Linux sends a child its parent-death signal (`PR_SET_PDEATHSIG`, which every worker sets so that it never
/// outlives a supervisor killed with SIGKILL) when the *thread* that created it exits, not the process. Swift's
/// cooperative pool retires threads that stay idle, so a worker spawned from one of them received SIGTERM and
/// stopped, healthy, some seconds after the supervisor went quiet (seen as "worker died; restarting ... exited
/// with status 0", and as a login queue that forgot its state).
final class SpawnThread: Sendable {
    static let shared = SpawnThread()

    private struct Slot: @unchecked Sendable {
        var job: (() -> Void)?
    }
    private let slot = Mutex(Slot())
    /// Serialises callers: one job at a time.
    private let callers = Mutex(())
    private nonisolated(unsafe) let request: UnsafeMutablePointer<sem_t>
    private nonisolated(unsafe) let done: UnsafeMutablePointer<sem_t>

    private init() {
        request = .allocate(capacity: 1)
        done = .allocate(capacity: 1)
        sem_init(request, 0, 0)
        sem_init(done, 0, 0)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { context -> UnsafeMutableRawPointer? in
            _ = nt_set_process_name("nt-spawn")
            Unmanaged<SpawnThread>.fromOpaque(context!).takeRetainedValue().serve()
        }, context)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        pthread_detach(thread)
    }

    /// Runs `body` on the spawn thread and returns when it has.
    func run(_ body: () -> Void) {
        withoutActuallyEscaping(body) { body in
            callers.withLock { _ in
                slot.withLock { $0.job = body }
                sem_post(request)
                while sem_wait(done) != 0 && errno == EINTR {}
            }
        }
    }

    private func serve() -> Never {
        while true {
            while sem_wait(request) != 0 && errno == EINTR {}
            var job = slot.withLock { slot -> (() -> Void)? in
                defer { slot.job = nil }
                return slot.job
            }
            job?()
            // The caller's closure must be released before the caller resumes: `withoutActuallyEscaping` traps
            // when the closure is still referenced as it returns.
            job = nil
            sem_post(done)
        }
    }
}
