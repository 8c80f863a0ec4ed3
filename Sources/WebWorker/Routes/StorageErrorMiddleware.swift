import Hummingbird
import Logging
import NTHTTP
import NTStorage

/// Answers every route's storage failure the same way, whatever the route: a condition of the host (a lock held
/// by another process, a full disk, an unreadable file) is a 503 or 507 with `Retry-After` and a code that names
/// it, logged once with SQLite's own message; anything else goes on to the error boundary (a 500). Sits just
/// inside ``ErrorBoundaryMiddleware``.
struct StorageErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as StorageError where error.fault != .failed {
            let answer = APIError(storage: error.fault)
            context.logger.log(
                level: error.fault == .busy ? .warning : .error, "storage refused the request",
                metadata: ["error": "\(error)", "code": "\(answer.code)", "path": "\(request.uri.path)"]
            )
            throw answer
        }
    }
}

extension APIError {
    /// The HTTP form of a storage fault: what happened, that nothing was stored, and when to try again.
    init(storage fault: StorageFault) {
        switch fault {
        case .busy:
            self.init(.serviceUnavailable, code: "storage_busy",
                      message: "\(fault.reason); nothing was stored, try again in a few seconds")
            headers[.retryAfter] = "2"
        case .full:
            self.init(.init(code: 507, reasonPhrase: "Insufficient Storage"), code: "storage_full",
                      message: "\(fault.reason); nothing can be stored until space is freed")
            headers[.retryAfter] = "60"
        case .unavailable:
            self.init(.serviceUnavailable, code: "storage_unavailable",
                      message: "\(fault.reason); nothing was stored, see the server log")
            headers[.retryAfter] = "30"
        case .failed:
            self.init(.internalServerError, code: "internal", message: "internal error; see the server log for the request id")
        }
    }
}
