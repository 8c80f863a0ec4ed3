import Synchronization

/// The hand-over point between the curl thread (producer) and the one consumer of a transfer.
///
/// Events queue here in order. Body bytes are counted: when more than `highWater` bytes wait unread, the write
/// callback is refused (libcurl pauses the transfer and keeps the data); when the consumer has drained the queue
/// to `lowWater`, it asks the curl thread to resume. The producer never blocks.
final class TransferChannel: Sendable {
    private struct State {
        var events: [CurlEvent] = []
        var head = 0
        var bufferedBytes = 0
        var waiter: UnsafeContinuation<CurlEvent?, Never>?
        /// The producer has queued (or handed over) `.end`.
        var producerDone = false
        /// The consumer has received `.end`.
        var consumerDone = false
        var cancelled = false
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
        let waiter: UnsafeContinuation<CurlEvent?, Never>? = state.withLock { s in
            guard !s.cancelled, !s.producerDone else { return nil }
            if case .end = event { s.producerDone = true }
            if let waiter = s.waiter {
                s.waiter = nil
                if case .end = event { s.consumerDone = true }
                return waiter
            }
            s.events.append(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    /// Queues body bytes; `false` asks the caller to pause the transfer (nothing was queued).
    func offerBody(_ bytes: [UInt8]) -> Bool {
        let outcome: (accepted: Bool, waiter: UnsafeContinuation<CurlEvent?, Never>?) = state.withLock { s in
            if s.cancelled || s.producerDone { return (true, nil) }
            if s.bufferedBytes >= highWater {
                s.paused = true
                return (false, nil)
            }
            if let waiter = s.waiter {
                s.waiter = nil
                return (true, waiter)
            }
            s.events.append(.body(bytes))
            s.bufferedBytes += bytes.count
            return (true, nil)
        }
        outcome.waiter?.resume(returning: .body(bytes))
        return outcome.accepted
    }

    // MARK: consumer

    /// The next event, or `nil` after `.end` has been delivered.
    func next() async -> CurlEvent? {
        var resume = false
        let ready = state.withLock { take(&$0, resume: &resume) }
        if resume { loop.resume(self) }
        if let ready { return ready }
        return await withUnsafeContinuation { continuation in
            let ready = state.withLock { s -> CurlEvent?? in
                var unused = false
                if let event = take(&s, resume: &unused) { return event }
                s.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// The consumer is gone or cancelled: drops queued bytes, ends the stream with `.cancelled` (unless it has
    /// already ended) and tells the curl thread to remove the transfer if it is still running.
    func cancel() {
        let cancelled = CurlEvent.end(CurlError(kind: .cancelled, message: "the consumer stopped listening"))
        let (notify, waiter): (Bool, UnsafeContinuation<CurlEvent?, Never>?) = state.withLock { s in
            guard !s.cancelled else { return (false, nil) }
            s.cancelled = true
            let notify = !s.producerDone
            s.producerDone = true
            s.events.removeAll()
            s.head = 0
            s.bufferedBytes = 0
            guard !s.consumerDone else { return (notify, nil) }
            if let waiter = s.waiter {
                s.waiter = nil
                s.consumerDone = true
                return (notify, waiter)
            }
            s.events.append(cancelled)
            return (notify, nil)
        }
        waiter?.resume(returning: cancelled)
        if notify { loop.cancel(self) }
    }

    /// Pops the next event: `.some(event)`, `.some(nil)` when the stream is over, or `nil` to wait.
    private func take(_ s: inout State, resume: inout Bool) -> CurlEvent?? {
        guard s.head < s.events.count else { return s.consumerDone ? .some(nil) : nil }
        let event = s.events[s.head]
        s.events[s.head] = .end(nil)  // release the bytes now, not when the slot is compacted
        s.head += 1
        if s.head == s.events.count {
            s.events.removeAll(keepingCapacity: s.events.capacity <= 256)
            s.head = 0
        } else if s.head >= 1024 {
            s.events.removeFirst(s.head)
            s.head = 0
        }
        switch event {
        case .body(let bytes):
            s.bufferedBytes -= bytes.count
            if s.paused && s.bufferedBytes <= lowWater {
                s.paused = false
                resume = true
            }
        case .end:
            s.consumerDone = true
        case .head:
            break
        }
        return .some(event)
    }
}
