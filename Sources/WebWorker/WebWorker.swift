import Hummingbird
import Logging
import NTHTTP
import NTWorkerKit
import ServiceLifecycle

/// The web worker: the browser UI, the JSON API and token streaming, served on the inherited web socket (fd 3).
public enum WebWorker {
    /// Builds the worker's services; the readiness flag is raised once the socket accepts.
    public static func services(context: WorkerContext) async throws -> [any Service] {
        let router = makeRouter(context: context)
        let server = InheritedSocketServer(
            fd: WorkerEnvironment.listenFD,
            responder: router.buildResponder(),
            logger: context.logger,
            onRunning: { context.readiness.markReady() }
        )
        return [server]
    }

    /// The router with every route and middleware; separate so tests can drive it without a socket.
    public static func makeRouter(context: WorkerContext) -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        router.addMiddleware {
            RequestIDMiddleware()
            SecurityHeadersMiddleware<AppRequestContext>()
            AccessLogMiddleware<AppRequestContext>()
            ErrorBoundaryMiddleware<AppRequestContext>()
        }
        VersionRoutes.add(to: router)
        AssetRoutes.add(to: router)
        return router
    }
}
