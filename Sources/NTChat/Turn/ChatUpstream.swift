import NTLog
import Synchronization
import NTOpenRouter

/// One request to the upstream's chat completions endpoint, already decided (model, history, limits).
public struct UpstreamChatRequest: Sendable {
    public var body: ChatCompletionRequest
    public var requestID: String

    public init(body: ChatCompletionRequest, requestID: String) {
        self.body = body
        self.requestID = requestID
    }
}

/// What an upstream stream yields, in order; it always ends with exactly one `.end`.
public enum UpstreamEvent: Sendable {
    /// The response headers arrived with status 200 (generation id from `X-Generation-Id`, if sent).
    case opened(generationID: String?)
    /// One decoded item of the SSE stream.
    case item(StreamItem)
    /// The stream is over: nil after `[DONE]` or a clean end, otherwise why it failed.
    case end(UpstreamFailure?)
}

/// Why an upstream call failed, in the terms the chat API reports.
public struct UpstreamFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable code for clients: `upstream_429`, `timeout_first_byte`, `connect`, `no_api_key`, `stream_cut`, …
    public var code: String
    /// What went wrong, in words. Redacted at creation (the log redactor, with the configured key): upstream
    /// error bodies are stored with the answer, exported and shown in the browser, and a proxy or server may echo
    /// the request's `Authorization` header or the key in them.
    public var message: String
    /// The HTTP status the upstream answered, when it answered one.
    public var httpStatus: Int?
    /// Whether trying again later may succeed.
    public var retryable: Bool
    /// Seconds the upstream asked to wait (`Retry-After`).
    public var retryAfterSeconds: Double?

    public init(code: String, message: String, httpStatus: Int? = nil, retryable: Bool, retryAfterSeconds: Double? = nil) {
        self.code = code
        self.message = NTLogging.redactor.redact(message)
        self.httpStatus = httpStatus
        self.retryable = retryable
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(code): \(message)" }
}

/// The upstream as the chat domain sees it. The OpenRouter adapter (module NTUpstream) speaks to OpenRouter, or
/// any OpenAI-compatible server, over libcurl; the domain knows only this protocol.
public protocol ChatUpstream: Sendable {
    /// Sends the request at once and returns the call, whose events the turn pulls.
    func call(_ request: UpstreamChatRequest) -> any UpstreamCall
    func listModels() async throws -> [ModelInfo]
}

/// One upstream request in flight, pulled by one consumer: its events end with exactly one `.end`.
///
/// Pulling in batches is what keeps a relayed token cheap: everything that arrived since the last pull is handed
/// over in one go, on the consumer's own thread. Releasing or cancelling the call aborts the transfer, which is
/// what stops the upstream generating (and billing).
public protocol UpstreamCall: Sendable {
    /// Appends every event that arrived since the last call, waiting only when none has. Returns with nothing
    /// appended after ``wake()``, and at once after `.end` was handed over. Does not observe task cancellation:
    /// the caller cancels the call from its cancellation handler.
    func next(into events: inout [UpstreamEvent]) async
    /// Aborts the request; the consumer then receives `.end` (a `cancelled` failure) unless it had ended.
    func cancel()
    /// Makes the consumer's waiting (or next) ``next(into:)`` return, with nothing if nothing arrived.
    func wake()
}

/// An ``UpstreamCall`` fed by a producer through ``yield(_:)``: for calls that end before any transfer (no key,
/// an unencodable request) and for in-process upstreams.
public final class UpstreamEventQueue: UpstreamCall {
    private struct State {
        var events: [UpstreamEvent] = []
        var waiter: UnsafeContinuation<Void, Never>?
        var ended = false
        var delivered = false
        var woken = false
        var cancelled = false
    }
    private let state = Mutex(State())
    private let onCancel: @Sendable () -> Void

    /// - Parameter onCancel: called once when the consumer cancels before the end (stop the producer there).
    public init(onCancel: @escaping @Sendable () -> Void = {}) {
        self.onCancel = onCancel
    }

    /// Queues an event; ignored after `.end` (or a cancellation).
    public func yield(_ event: UpstreamEvent) {
        let waiter = state.withLock { s -> UnsafeContinuation<Void, Never>? in
            guard !s.ended else { return nil }
            if case .end = event { s.ended = true }
            s.events.append(event)
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    public func next(into events: inout [UpstreamEvent]) async {
        while true {
            let done = state.withLock { s -> Bool in
                if !s.events.isEmpty {
                    events.append(contentsOf: s.events)
                    s.events.removeAll(keepingCapacity: true)
                    if s.ended { s.delivered = true }
                    return true
                }
                if s.delivered { return true }
                if s.woken {
                    s.woken = false
                    return true
                }
                return false
            }
            if done { return }
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                let ready = state.withLock { s -> Bool in
                    if !s.events.isEmpty || s.delivered || s.woken { return true }
                    s.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    public func cancel() {
        let (notify, waiter) = state.withLock { s -> (Bool, UnsafeContinuation<Void, Never>?) in
            guard !s.cancelled, !s.ended else { return (false, nil) }
            s.cancelled = true
            s.ended = true
            s.events.append(.end(UpstreamFailure(code: "cancelled", message: "the request was cancelled", retryable: false)))
            defer { s.waiter = nil }
            return (true, s.waiter)
        }
        waiter?.resume()
        if notify { onCancel() }
    }

    public func wake() {
        let waiter = state.withLock { s -> UnsafeContinuation<Void, Never>? in
            s.woken = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// A call that has already ended with `failure`.
    public static func failed(_ failure: UpstreamFailure) -> UpstreamEventQueue {
        let queue = UpstreamEventQueue()
        queue.yield(.end(failure))
        return queue
    }
}
