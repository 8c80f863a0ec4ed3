import Synchronization

/// Role-specific commands on a worker's private socket, beside the shared `ping`, `metrics` and `reload`.
///
/// A role's services register what they answer (the maintenance worker: `backup`); the supervisor forwards
/// operator requests to them.
public final class WorkerCommands: Sendable {
    /// Answers one request; `argument` is everything after the command word.
    public typealias Handler = @Sendable (_ argument: String) async -> String

    private let handlers = Mutex<[String: Handler]>([:])

    public init() {}

    /// Makes the worker answer `command` with `handler` (replacing an earlier one).
    public func register(_ command: String, _ handler: @escaping Handler) {
        handlers.withLock { $0[command] = handler }
    }

    /// The handler of `command`, if one was registered.
    public func handler(for command: String) -> Handler? {
        handlers.withLock { $0[command] }
    }
}

extension WorkerCommands {
    /// The web worker's answer to a final stop: it closes its listening socket at once (answering `closed`, or
    /// `not-listening` before its server is bound). The supervisor sends it before SIGTERM when the appliance shuts
    /// down or the port moves; a plain SIGTERM (a rolling restart, or a kill from outside) keeps the socket's queue
    /// for the next worker.
    public static let closeListener = "close-listener"
}
