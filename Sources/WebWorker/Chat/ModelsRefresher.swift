import Logging
import NTChat
import NTStorage
import NTWorkerKit
import ServiceLifecycle

/// Refreshes the models catalog at start and every `upstream.models_refresh_minutes`; failures are logged and
/// the cached list keeps serving. With several instances on one PostgreSQL database only the leader of the web
/// jobs (``LeaderLock``) asks the upstream; the others reload the list it stored.
struct ModelsRefresher: Service {
    let catalog: ModelsCatalog
    let config: ConfigStore
    let leader: LeaderLock
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                if await leader.lead() {
                    try await catalog.refresh()
                } else {
                    try await catalog.reload()
                }
            } catch {
                logger.warning("models refresh failed; serving the cached list", metadata: ["error": "\(error)"])
            }
            let minutes = config.current.upstream.modelsRefreshMinutes
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(minutes * 60)) }
        }
    }
}
