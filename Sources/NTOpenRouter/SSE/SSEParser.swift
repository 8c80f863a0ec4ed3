/// An incremental Server-Sent Events parser following the WHATWG "event stream interpretation" rules.
///
/// Feed it whatever the transport delivers, in chunks split at any byte; it keeps the unterminated tail of
/// a line as bytes and decodes only complete events, so a chunk boundary inside a multi-byte UTF-8
/// sequence, or between the CR and LF of one line end, is harmless. It runs for every byte the upstream
/// sends, so it works on byte buffers and allocates a `String` only per dispatched event.
///
/// What the caller must know:
/// - Comment lines (OpenRouter's `: OPENROUTER PROCESSING`) produce no event but increment
///   ``commentCount``; a change in it means the upstream is alive (a keep-alive).
/// - An event is dispatched only by the blank line that ends it. At end of stream call ``finish()``:
///   an unterminated last event is discarded, as the spec says; ``hasPartialEvent`` tells a cut stream.
/// - One event (its data plus the line being read) may not exceed ``maxEventBytes``. Beyond that the
///   parser stops, ``failure`` is set and every later `feed` returns nothing: the caller should abort.
public struct SSEParser: Sendable {
    /// Why the parser stopped.
    public enum Failure: Error, Sendable, Hashable {
        /// One event grew beyond the limit (bytes) without being terminated.
        case eventTooLarge(limit: Int)
    }

    /// The default cap on one event: far above any real chunk, low enough to bound memory.
    public static let defaultMaxEventBytes = 8 * 1024 * 1024

    /// The most bytes one event (data so far plus the current line) may hold.
    public let maxEventBytes: Int
    /// How many comment lines (`:` first) were seen: keep-alives, for the caller's idle timer.
    public private(set) var commentCount = 0
    /// Set once an event exceeded ``maxEventBytes``; the parser ignores all further input.
    public private(set) var failure: Failure?
    /// The reconnection time from the last valid `retry:` field, in milliseconds, if any.
    public private(set) var retryMilliseconds: Int?

    /// Whether bytes of an event not yet terminated by a blank line are held (a stream cut there loses them).
    /// After ``finish()`` it keeps answering for the stream that just ended.
    public var hasPartialEvent: Bool { ended ? endedMidEvent : isMidEvent }

    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var eventType: [UInt8]?
    private var lastEventID: String?
    private var skipLeadingLF = false
    private var bomMatched = 0
    private var atStreamStart = true
    private var ended = false
    private var endedMidEvent = false

    /// - Parameter maxEventBytes: the cap on one event; see ``defaultMaxEventBytes``.
    public init(maxEventBytes: Int = SSEParser.defaultMaxEventBytes) {
        self.maxEventBytes = max(1, maxEventBytes)
    }

    /// Parses the next bytes of the stream and returns the events they complete, in order.
    /// Feeding after ``finish()`` starts a new stream.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> [SSEEvent] {
        if let array = bytes as? [UInt8] { return feed(array) }
        return feed(Array(bytes))
    }

    /// ``feed(_:)`` for the bytes as the curl thread hands them over: called once per chunk of every relayed
    /// stream, so it is not generic (a generic call from another module looks up its type's metadata each time).
    public mutating func feed(_ bytes: [UInt8]) -> [SSEEvent] {
        if ended { self = SSEParser(maxEventBytes: maxEventBytes) }
        var events: [SSEEvent] = []
        guard failure == nil else { return events }
        bytes.withUnsafeBufferPointer { consumeStart($0, into: &events) }
        return events
    }

    /// Ends the stream. Per the spec an event not terminated by a blank line is discarded, so this returns
    /// no events today; check ``hasPartialEvent`` (still valid afterwards) to tell a stream cut mid-event.
    public mutating func finish() -> [SSEEvent] {
        endedMidEvent = isMidEvent
        ended = true
        line = []
        data = []
        eventType = nil
        return []
    }

    private var isMidEvent: Bool {
        !line.isEmpty || !data.isEmpty || eventType != nil || (atStreamStart && bomMatched > 0)
    }

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Drops one UTF-8 BOM at the very start of the stream, even when it arrives split across chunks.
    private mutating func consumeStart(_ input: UnsafeBufferPointer<UInt8>, into events: inout [SSEEvent]) {
        var start = 0
        if atStreamStart {
            while start < input.count, bomMatched < 3 {
                guard input[start] == Self.bom[bomMatched] else { break }
                bomMatched += 1
                start += 1
            }
            if bomMatched < 3 {
                if start == input.count { return }  // still a possible BOM prefix: wait for more bytes
                atStreamStart = false
                Self.bom[0..<bomMatched].withUnsafeBufferPointer { consume($0, into: &events) }  // not a BOM after all
            }
            atStreamStart = false
        }
        consume(UnsafeBufferPointer(rebasing: input[start...]), into: &events)
    }

    /// Splits the input at CR, LF and CRLF, handing each complete line to ``processLine``.
    private mutating func consume(_ input: UnsafeBufferPointer<UInt8>, into events: inout [SSEEvent]) {
        let count = input.count
        var index = 0
        if skipLeadingLF, count > 0 {
            skipLeadingLF = false
            if input[0] == .lf { index = 1 }
        }
        var start = index
        while index < count {
            let byte = input[index]
            guard byte == .lf || byte == .cr else {
                index += 1
                continue
            }
            completeLine(UnsafeBufferPointer(rebasing: input[start..<index]), into: &events)
            if failure != nil { return }
            if byte == .cr {
                if index + 1 < count {
                    if input[index + 1] == .lf { index += 1 }
                } else {
                    skipLeadingLF = true  // the LF of this CRLF may open the next chunk
                }
            }
            index += 1
            start = index
        }
        guard start < count else { return }
        guard line.count + data.count + (count - start) <= maxEventBytes else { return fail() }
        line.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<count]))
    }

    /// Joins a line's tail with any bytes held from earlier chunks, without copying in the common case.
    private mutating func completeLine(_ tail: UnsafeBufferPointer<UInt8>, into events: inout [SSEEvent]) {
        if line.isEmpty { return processLine(tail, into: &events) }
        guard line.count + data.count + tail.count <= maxEventBytes else { return fail() }
        var whole: [UInt8] = []
        swap(&whole, &line)
        whole.append(contentsOf: tail)
        whole.withUnsafeBufferPointer { processLine($0, into: &events) }
        whole.removeAll(keepingCapacity: whole.capacity <= 1 << 16)
        swap(&whole, &line)
    }

    /// Applies one line: blank dispatches, `:` is a comment, otherwise `name[: value]` sets a field.
    private mutating func processLine(_ bytes: UnsafeBufferPointer<UInt8>, into events: inout [SSEEvent]) {
        guard let first = bytes.first else { return dispatch(into: &events) }
        if first == .colon {
            commentCount &+= 1
            return
        }
        let colon = bytes.firstIndex(of: .colon) ?? bytes.count
        var valueStart = Swift.min(colon + 1, bytes.count)
        if valueStart < bytes.count, bytes[valueStart] == .space { valueStart += 1 }
        let name = UnsafeBufferPointer(rebasing: bytes[0..<colon])
        let value = UnsafeBufferPointer(rebasing: bytes[valueStart...])
        switch name.count {
        case 4 where name.elementsEqual("data".utf8):
            guard data.count + value.count + 1 <= maxEventBytes else { return fail() }
            data.append(contentsOf: value)
            data.append(.lf)
        case 5 where name.elementsEqual("event".utf8):
            eventType = Array(value)
        case 2 where name.elementsEqual("id".utf8):
            if !value.contains(0) { lastEventID = value.isEmpty ? nil : String(decoding: value, as: UTF8.self) }
        case 5 where name.elementsEqual("retry".utf8):
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                retryMilliseconds = value.count > 15 ? Int.max : Int(String(decoding: value, as: UTF8.self))
            }
        default:
            break  // unknown fields are ignored
        }
    }

    /// Emits the buffered event if it has data; a blank line after no `data:` field just resets the type.
    private mutating func dispatch(into events: inout [SSEEvent]) {
        defer { eventType = nil }
        guard !data.isEmpty else { return }
        let text = data.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[..<($0.count - 1)]), as: UTF8.self)
        }
        let type = eventType.map { String(decoding: $0, as: UTF8.self) }
        events.append(SSEEvent(event: type, data: text, id: lastEventID))
        data.removeAll(keepingCapacity: data.capacity <= 1 << 16)
    }

    private mutating func fail() {
        failure = .eventTooLarge(limit: maxEventBytes)
        line = []
        data = []
        eventType = nil
    }
}

extension UInt8 {
    fileprivate static let lf: UInt8 = 0x0A
    fileprivate static let cr: UInt8 = 0x0D
    fileprivate static let colon: UInt8 = 0x3A
    fileprivate static let space: UInt8 = 0x20
}
