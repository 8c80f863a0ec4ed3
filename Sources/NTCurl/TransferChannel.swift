import Synchronization

/// The hand-over point between a curl thread (producer) and the one consumer of a transfer.
///
/// Events queue here in order; the producer never blocks. A waiting consumer is resumed once per hand-over, and
/// then takes everything queued by then in one go, so tokens that arrive together cross threads together. Body
/// bytes are counted: when more than `highWater` bytes wait unread, the write callback is refused (libcurl pauses
/// the transfer and keeps the data); when the consumer has drained the queue to `lowWater`, it asks the curl
/// thread to resume.
final class TransferChannel: Sendable {
    private struct State {
        var events: [CurlEvent] = []
        var bufferedBytes = 0
        var waiter: UnsafeContinuation<Void, Never>?
        /// The producer has queued `.end`.
        var producerDone = false
        /// The consumer has taken `.end`.
        var consumerDone = false
        var cancelled = false
        /// `wake()` was called and the consumer has not returned empty-handed since.
        var woken = false
        /// The write callback refused bytes; the curl transfer is paused until a resume is requested.
        var paused = false
    }

    private let state = Mutex(State())
    private let loop: CurlLoop
    private let highWater: Int
    private let lowWater: Int

    init(loop: CurlLoop, highWater: Int) {
        self.loop = loop
        self.highWater = max(highWater, 1)
        self.lowWater = max(highWater / 4, 1)
    }

    // MARK: producer (the curl thread)

    /// Queues `.head` or `.end`. Ignored once the consumer has cancelled.
    func deliver(_ event: CurlEvent) {
        let waiter = state.withLock { s -> UnsafeContinuation<Void, Never>? in
            guard !s.cancelled, !s.producerDone else { return nil }
            if case .end = event { s.producerDone = true }
            s.events.append(event)
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// Queues body bytes; `false` asks the caller to pause the transfer (nothing was queued).
    func offerBody(_ bytes: [UInt8]) -> Bool {
        let outcome = state.withLock { s -> (accepted: Bool, waiter: UnsafeContinuation<Void, Never>?) in
            if s.cancelled || s.producerDone { return (true, nil) }
            if s.bufferedBytes >= highWater {
                s.paused = true
                return (false, nil)
            }
            s.events.append(.body(bytes))
            s.bufferedBytes += bytes.count
            defer { s.waiter = nil }
            return (true, s.waiter)
        }
        outcome.waiter?.resume()
        return outcome.accepted
    }

    // MARK: consumer

    /// Appends every queued event to `events`, waiting only when none is queued. Returns with nothing appended
    /// after ``wake()``, or at once when `.end` was taken before.
    func next(into events: inout [CurlEvent]) async {
        await take(into: &events)
    }

    /// Makes a waiting (or the next) ``next(into:)`` return, empty-handed if nothing is queued.
    func wake() {
        let waiter = state.withLock { s -> UnsafeContinuation<Void, Never>? in
            s.woken = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// The consumer is gone or cancelled: drops queued bytes, ends the stream with `.cancelled` (unless it has
    /// already ended) and tells the curl thread to remove the transfer if it is still running.
    func cancel() {
        let cancelled = CurlEvent.end(CurlError(kind: .cancelled, message: "the consumer stopped listening"))
        let (notify, waiter) = state.withLock { s -> (Bool, UnsafeContinuation<Void, Never>?) in
            guard !s.cancelled else { return (false, nil) }
            s.cancelled = true
            let notify = !s.producerDone
            s.producerDone = true
            s.events.removeAll()
            s.bufferedBytes = 0
            if !s.consumerDone { s.events.append(cancelled) }
            defer { s.waiter = nil }
            return (notify, s.waiter)
        }
        waiter?.resume()
        if notify { loop.cancel(self) }
    }

    /// Moves the queued events into `events`; waits while there are none and no wake-up is pending.
    private func take(into events: inout [CurlEvent]) async {
        while true {
            var resume = false
            let done = state.withLock { s -> Bool in
                if !s.events.isEmpty {
                    drain(&s, into: &events, resume: &resume)
                    return true
                }
                if s.consumerDone { return true }
                if s.woken {
                    s.woken = false
                    return true
                }
                return false
            }
            if resume { loop.resume(self) }
            if done { return }
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                let ready = state.withLock { s -> Bool in
                    if !s.events.isEmpty || s.consumerDone || s.woken { return true }
                    s.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    private func drain(_ s: inout State, into events: inout [CurlEvent], resume: inout Bool) {
        for event in s.events {
            switch event {
            case .body(let bytes): s.bufferedBytes -= bytes.count
            case .end: s.consumerDone = true
            case .head: break
            }
            events.append(event)
        }
        s.events.removeAll(keepingCapacity: s.events.capacity <= 256)
        if s.paused && s.bufferedBytes <= lowWater {
            s.paused = false
            resume = true
        }
    }
}
