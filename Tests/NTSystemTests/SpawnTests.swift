import Foundation
import NTSystem
import Synchronization
import Testing

/// Children outlive the thread that asked for them: Linux delivers a child's parent-death signal when the *thread*
/// that created it exits, and the supervisor asks from threads of Swift's pool, which come and go.
struct SpawnTests {
    @Test func aChildWithAParentDeathSignalOutlivesTheThreadThatSpawnedIt() async throws {
        let spawned = Mutex<Int32?>(nil)
        let thread = Thread {
            // `setpriv --pdeathsig` sets the signal the way every worker does (prctl PR_SET_PDEATHSIG), then execs.
            spawned.withLock {
                $0 = try? Spawner.spawn(executable: "/usr/bin/setpriv", arguments: ["--pdeathsig", "SIGTERM", "/bin/sleep", "5"],
                                        environment: [:], descriptors: [], newProcessGroup: false)
            }
            Thread.sleep(forTimeInterval: 0.3)  // setpriv has set the signal; now this thread ends
        }
        thread.start()
        try await Task.sleep(for: .milliseconds(900))
        let pid = try #require(spawned.withLock { $0 })
        defer {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        var status: Int32 = 0
        #expect(waitpid(pid, &status, WNOHANG) == 0, "the child ended (status \(status)) when the spawning thread did")
    }
}
