import Logging
import NTChat
import NTConfig
import NTCurl
import NTStorage
import NTSystem
import NTUpstream
import NTWorkerKit
#if canImport(Glibc)
import Glibc
#endif

/// The chat engine of one web worker: storage, the upstream client, the turn service and the models catalog.
struct ChatComponents: Sendable {
    let repository: SQLChatRepository
    let service: ChatService
    let catalog: ModelsCatalog
    let breaker: CircuitBreaker
    /// The cached verdict on the upstream key (``KeyStatusService`` runs it).
    let keyMonitor: KeyStatusMonitor
    /// Leadership of the web jobs (the catalog's refresh, reconciliation left open) among instances on one
    /// PostgreSQL database; always this process on SQLite.
    let leader: LeaderLock
    /// This web worker as a runner among the instances on one PostgreSQL database; nil on SQLite.
    let presence: RunnerPresence?

    init(context: WorkerContext) async throws {
        let config = context.config
        let location = try config.current.databaseLocation()
        let repository = try SQLChatRepository(location: location, applicationName: "neural-terminal web")
        self.repository = repository
        // On PostgreSQL this process is a runner among every instance's web workers (ADR 0021).
        var presence: RunnerPresence?
        if case .postgres(let url, let password) = location {
            presence = try RunnerPresence(
                url: url, password: password, instance: config.current.instanceName, host: HostName.current, pid: getpid(),
                applicationName: "neural-terminal web runner"
            )
        }
        self.presence = presence
        leader = LeaderLock(location: location, job: .web, applicationName: "neural-terminal web leader")
        let upstream = OpenRouterUpstream(client: CurlClient.shared) { UpstreamSettings(config.current) }
        keyMonitor = KeyStatusMonitor { await upstream.checkKey() }
        let catalog = ModelsCatalog(repository: repository, upstream: upstream, logger: context.logger)
        self.catalog = catalog
        // One breaker per web worker process: a restarted worker starts closed.
        let breaker = CircuitBreaker(settings: { BreakerSettings(config.current) }, logger: context.logger)
        self.breaker = breaker
        // A turn's reads (the conversation, its anchor, the spend its budget check adds up) take a connection of
        // their own: they never queue behind the writes' commits (SQLite's WAL lets them read meanwhile), nor wait a
        // round trip behind another turn's write transaction (PostgreSQL).
        let reader = try SQLChatRepository(location: location, applicationName: "neural-terminal web reads")
        let ledger = presence.map { DatabaseReservations(repository: repository, presence: $0) }
        let budget = BudgetGuard(store: reader, ledger: ledger, limits: { BudgetLimits(config.current) })
        let reconciler = CostReconciler(repository: repository, records: upstream, logger: context.logger)
        service = ChatService(
            repository: repository, reader: reader, upstream: upstream, workerPID: getpid(), logger: context.logger,
            prices: { await catalog.model($0) }, budget: budget, breaker: breaker, reconciler: reconciler, presence: presence
        ) {
            ChatSettings(config.current)
        }
        await budget.publishMetrics()
        // Spend today (in all and per model), the limits and the warn ratio are read at each scrape (midnight,
        // SIGHUP), not only per answer; so are the models whose breaker refuses (an open period ends unasked).
        let spendToday = SpendTodayGauges(store: reader)
        context.metrics.refreshBeforeCollect {
            await budget.publishMetrics()
            await spendToday.publish()
            breaker.publishMetrics()
        }
        let recovered = try await service.recoverInterrupted { ProcessLiveness.isAlive(Int($0)) }
        if recovered > 0 {
            context.logger.warning("answers left streaming by a dead worker marked interrupted", metadata: ["count": "\(recovered)"])
        }
        let resumed = await leader.lead() ? try await reconciler.resumePending() : 0
        if resumed > 0 {
            context.logger.info("reconciling the costs a previous web worker left open", metadata: ["count": "\(resumed)"])
        }
        if config.current.upstreamAPIKey?.isEmpty ?? true {
            context.logger.warning("\(OpenRouterUpstream.noKeyMessage)")
        }
    }
}
