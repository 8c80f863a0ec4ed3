import CNTSupport
import Glibc

/// How many heaps glibc's `malloc` keeps.
///
/// By default glibc gives a thread that finds the heap busy an arena of its own, up to eight per core, and memory
/// freed in one arena is not reused by the others. The web worker's threads (event loops, curl threads, Swift's
/// pool) take turns at the same work, so at 500 streams the extra arenas held about 10 MB of freed memory, with no
/// measurable change in CPU per stream (ADR 0013 has the figures). One arena per core keeps threads on different
/// cores from contending.
public enum MallocArenas {
    /// Caps the arenas at one per online core (at least two). Call first thing in `main`, before threads start.
    public static func limitToOnePerCore() {
        let cores = max(2, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        _ = nt_limit_malloc_arenas(Int32(truncatingIfNeeded: cores))
    }
}
