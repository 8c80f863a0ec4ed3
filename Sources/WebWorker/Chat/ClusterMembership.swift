import NTStorage
import ServiceLifecycle

/// Leaves the instances sharing a PostgreSQL database cleanly when the web worker stops gracefully: once the server
/// has drained (this service is stopped last), the runner's row and lock go and the web jobs' leadership is given
/// up, so another instance leads at its next tick instead of when the sweep finds this one dead.
struct ClusterMembership: Service {
    let presence: RunnerPresence?
    let leader: LeaderLock

    func run() async throws {
        try? await gracefulShutdown()
        await presence?.close()
        await leader.resign()
    }
}
