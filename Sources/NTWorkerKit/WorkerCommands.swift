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
