import Hummingbird
import Logging
import NTHTTP
import NTWorkerKit
import ServiceLifecycle

/// The metrics worker: `/health`, `/ready` and `/metrics` for every process, on the inherited metrics socket.
///
/// It stays up while the other workers drain, so probes see `/ready` turn 503 during a shutdown. `/health` and
/// `/ready` are always open (probes carry no credentials); `/metrics` may require a bearer token (``MetricsAuth``).
public enum MetricsWorker {
    public static func services(context: WorkerContext) async throws -> [any Service] {
        let probe = try ReadinessProbe(context: context)
        let collector = ExpositionCollector(context: context)
        let router = makeRouter(context: context, probe: probe, collector: collector)
        let server = InheritedSocketServer(
            fd: WorkerEnvironment.listenFD,
            responder: router.buildResponder(),
            logger: context.logger,
            onRunning: { context.readiness.markReady() }
        )
        return [server]
    }

    static func makeRouter(context: WorkerContext, probe: ReadinessProbe, collector: ExpositionCollector) -> Router<AppRequestContext> {
        // Every GET route answers HEAD too (probes that send HEAD), with no body.
        let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.addMiddleware {
            RequestIDMiddleware()
            SecurityHeadersMiddleware<AppRequestContext>()
            ErrorBoundaryMiddleware<AppRequestContext>()
            SingleHostMiddleware<AppRequestContext>()
            LoopbackHostMiddleware(config: context.config, logger: context.logger)
        }
        // Liveness: this process answers. Nothing else is checked, so a slow database never gets us killed.
        router.get("/health") { _, _ in
            JSONBody.response(["status": "ok"])
        }
        router.get("/ready") { _, _ in
            let report = await probe.check()
            return JSONBody.response(report, status: report.ready ? .ok : .serviceUnavailable)
        }
        // The exposition needs the bearer token when `metrics.bearer_token_file` is set (read per request, so a
        // SIGHUP that rotates the token applies to the next scrape).
        router.get("/metrics") { request, _ in
            if let refusal = MetricsAuth.refusal(request.headers, token: context.config.current.metricsBearerToken, logger: context.logger) {
                return refusal
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            headers[.cacheControl] = "no-store"
            let text = await collector.collect()
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        return router
    }
}
