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
        // ServiceGroup stops services in reverse order: the refreshers first, then the server drains, then the
        // instance leaves the cluster.
        return [
            ClusterMembership(presence: chat.presence, leader: chat.leader),
            server, ModelsRefresher(catalog: chat.catalog, config: context.config, leader: chat.leader, logger: context.logger),
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
