import FoundationEssentials
import Hummingbird
import Logging
import NTAuth
import NTChat
import NTConfig
import NTCurl
import NTUpstream
import NTHTTP
import NTWorkerKit
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// The web worker: the browser UI, the JSON API and token streaming, served on the inherited web socket (fd 3).
public enum WebWorker {
    /// Builds the worker's services; the readiness flag is raised once the socket accepts.
    public static func services(context: WorkerContext) async throws -> [any Service] {
        let chat = try await ChatComponents(context: context)
        let auth = AuthGate(
            store: try AuthStore(location: context.config.current.databaseLocation(), applicationName: "neural-terminal web auth"),
            config: context.config, logger: context.logger
        )
        let spendByUser = SpendByUserGauges(store: chat.repository, accounts: auth.store)
        context.metrics.refreshBeforeCollect { await spendByUser.publish() }
        if context.config.current.authMode == .password, try await auth.passwordHash() == nil {
            context.logger.error("auth.mode is \"password\" but no password is set: nobody can log in until `neural-terminal passwd` sets one")
        }
        let table = makeRoutes(context: context, chat: chat, auth: auth)
        let listener = ListenerHandle()
        context.commands.register(WorkerCommands.closeListener) { _ in
            let closed = await listener.closeNow()
            if closed { context.logger.info("stopped accepting: the stop is final") }
            return closed ? "closed" : "not-listening"
        }
        let server = InheritedSocketServer(
            fd: WorkerEnvironment.listenFD,
            responder: table.router.buildResponder(),
            logger: context.logger,
            onRunning: { context.readiness.markReady() },
            onShutdownStarted: { StreamsCutoff.start(service: chat.service, config: context.config, logger: context.logger) },
            listener: listener
        )
        // ServiceGroup stops services in reverse order: the refreshers first, then the server drains.
        return [
            server, ModelsRefresher(catalog: chat.catalog, config: context.config, logger: context.logger),
            KeyStatusService(monitor: chat.keyMonitor, context: context),
        ]
    }

    /// The router with every route and middleware, and the list of routes it holds (for the OpenAPI check).
    static func makeRoutes(context: WorkerContext, chat: ChatComponents, auth: AuthGate) -> RouteTable {
        // Every GET route answers HEAD too, with the same status and headers and no body.
        let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
        let config = context.config
        router.addMiddleware {
            RequestIDMiddleware()
            ForwardedClientMiddleware(config: config)
            SecurityHeadersMiddleware<AppRequestContext>()
            StrictTransportSecurityMiddleware<AppRequestContext> { auth.secureCookies }
            AccessLogMiddleware<AppRequestContext>()
            ErrorBoundaryMiddleware<AppRequestContext>()
            StorageErrorMiddleware<AppRequestContext>()
            SingleHostMiddleware<AppRequestContext>()
            // Body size first (no body read), then who is asking, then the rate limit (keyed by the principal),
            // then the JSON depth (collects the body).
            BodyLimitMiddleware { BodyLimits(config.current) }
            AuthMiddleware(gate: auth)
            RateLimitMiddleware { RateLimits(config.current) }
            JSONDepthMiddleware { BodyLimits(config.current) }
        }
        let table = RouteTable(router: router)
        addAPIRoutes(
            to: table, service: chat.service, repository: chat.repository, catalog: chat.catalog, auth: auth,
            diagnostics: DiagnosticsProbe(context: context, breaker: chat.breaker, keyMonitor: chat.keyMonitor),
            limits: { InputLimits(config.current) }
        )
        let assets = AssetRoutes.Source.fromEnvironment(ProcessInfo.processInfo.environment)
        if case .directory(let dir) = assets {
            context.logger.warning("serving the UI from disk (NEURAL_TERMINAL_ASSETS_DIR); for development only", metadata: ["dir": "\(dir)"])
        }
        AssetRoutes.add(to: router, source: assets)
        AuthRoutes(gate: auth).addLoginPage(to: router, assets: assets)
        return table
    }

    /// Every `/api` route; `docs/openapi.yaml` must describe exactly these (a test compares them).
    /// `diagnostics` defaults to a probe without a supervisor and `limits` to the default input limits (tests
    /// that only list the routes).
    static func addAPIRoutes(
        to table: RouteTable, service: ChatService, repository: any ChatRepository, catalog: ModelsCatalog,
        auth: AuthGate, diagnostics: DiagnosticsProbe = .detached, limits: @escaping @Sendable () -> InputLimits = { InputLimits() }
    ) {
        AuthRoutes(gate: auth).add(to: table)
        AccountRoutes(gate: auth).add(to: table)
        VersionRoutes.add(to: table)
        DiagnosticsRoutes(probe: diagnostics).add(to: table)
        ChatRoutes(service: service, repository: repository, catalog: catalog, limits: limits).add(to: table)
        UsageRoutes(service: service, accounts: auth.store).add(to: table)
        ExportImportRoutes(repository: repository, limits: limits).add(to: table)
        SearchRoutes(repository: repository).add(to: table)
    }
}

/// The chat engine of one web worker: storage, the upstream client, the turn service and the models catalog.
struct ChatComponents: Sendable {
    let repository: SQLChatRepository
    let service: ChatService
    let catalog: ModelsCatalog
    let breaker: CircuitBreaker
    /// The cached verdict on the upstream key (``KeyStatusService`` runs it).
    let keyMonitor: KeyStatusMonitor

    init(context: WorkerContext) async throws {
        let config = context.config
        repository = try SQLChatRepository(location: config.current.databaseLocation(), applicationName: "neural-terminal web")
        let upstream = OpenRouterUpstream(client: CurlClient.shared) { UpstreamSettings(config.current) }
        keyMonitor = KeyStatusMonitor { await upstream.checkKey() }
        let catalog = ModelsCatalog(repository: repository, upstream: upstream, logger: context.logger)
        self.catalog = catalog
        // One breaker per web worker process: a restarted worker starts closed.
        let breaker = CircuitBreaker(settings: { BreakerSettings(config.current) }, logger: context.logger)
        self.breaker = breaker
        let budget = BudgetGuard(store: repository, limits: { BudgetLimits(config.current) })
        let reconciler = CostReconciler(repository: repository, records: upstream, logger: context.logger)
        service = ChatService(
            repository: repository, upstream: upstream, workerPID: getpid(), logger: context.logger,
            prices: { await catalog.model($0) }, budget: budget, breaker: breaker, reconciler: reconciler
        ) {
            ChatSettings(config.current)
        }
        await budget.publishMetrics()
        // Spend today (in all and per model), the limits and the warn ratio are read at each scrape (midnight,
        // SIGHUP), not only per answer; so are the models whose breaker refuses (an open period ends unasked).
        let spendToday = SpendTodayGauges(store: repository)
        context.metrics.refreshBeforeCollect {
            await budget.publishMetrics()
            await spendToday.publish()
            breaker.publishMetrics()
        }
        let recovered = try await service.recoverInterrupted { pid in kill(pid, 0) == 0 || errno == EPERM }
        if recovered > 0 {
            context.logger.warning("answers left streaming by a dead worker marked interrupted", metadata: ["count": "\(recovered)"])
        }
        let resumed = try await reconciler.resumePending()
        if resumed > 0 {
            context.logger.info("reconciling the costs a previous web worker left open", metadata: ["count": "\(resumed)"])
        }
        if config.current.upstreamAPIKey?.isEmpty ?? true {
            context.logger.warning("\(OpenRouterUpstream.noKeyMessage)")
        }
    }
}

extension UpstreamSettings {
    init(_ config: AppConfig) {
        let u = config.upstream
        self.init(
            baseURL: u.baseURL, apiKey: config.upstreamAPIKey, referer: u.referer, title: u.title,
            connectTimeout: .milliseconds(Int(u.connectTimeoutSeconds * 1000)),
            firstByteTimeout: .milliseconds(Int(u.firstByteTimeoutSeconds * 1000)),
            idleTimeout: .milliseconds(Int(u.idleTimeoutSeconds * 1000)),
            totalTimeout: .milliseconds(Int(u.totalTimeoutSeconds * 1000)),
            caFile: u.caFile.isEmpty ? nil : u.caFile
        )
    }
}

/// Refreshes the models catalog at start and every `upstream.models_refresh_minutes`; failures are logged and
/// the cached list keeps serving.
struct ModelsRefresher: Service {
    let catalog: ModelsCatalog
    let config: ConfigStore
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await catalog.refresh()
            } catch {
                logger.warning("models refresh failed; serving the cached list", metadata: ["error": "\(error)"])
            }
            let minutes = config.current.upstream.modelsRefreshMinutes
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(minutes * 60)) }
        }
    }
}

/// On graceful shutdown, lets streaming answers run on, and shortly before the supervisor's grace period ends
/// stops the ones still running, so they are stored as `stopped` with their text instead of being killed
/// mid-write (and found `interrupted` later). Started by the server when it stops accepting.
enum StreamsCutoff {
    static func start(service: ChatService, config: ConfigStore, logger: Logger) {
        let grace = config.current.supervisor.shutdownGraceSeconds
        let cutoff = max(grace * 0.2, grace - 1.0)
        service.announceShutdown()
        Task {
            try? await Task.sleep(for: .milliseconds(Int(cutoff * 1000)))
            if service.activeTurns > 0 {
                logger.warning("grace period ending: stopping the answers still streaming", metadata: ["count": "\(service.activeTurns)"])
                service.stopAll(reason: .shutdown)
            }
        }
    }
}
