import CZstd

/// A pull-style zstd decompressor: ``feed(_:)`` it compressed bytes, then call ``next()`` until it returns nil;
/// each call gives at most libzstd's recommended output size (128 KiB), so a caller that awaits between pieces
/// (an import storing conversations) never holds more than that, however well the data compresses.
///
/// Any number of concatenated frames is one stream (as `zstd -d` reads them); each frame's checksum is verified.
/// ``finish()`` at the end of the input fails if the last frame is incomplete.
public final class ZstdDecoder {
    private let context: OpaquePointer
    private let outBuffer: UnsafeMutableRawPointer
    private let outSize: Int
    private var pending: [UInt8] = []
    private var position = 0
    private var frameOpen = false
    /// The last call filled the output buffer: libzstd may hold more output for the input already given.
    private var outputFull = false
    /// A name for messages (a path), or empty.
    public let label: String
    /// Compressed bytes fed so far.
    public private(set) var compressedBytes = 0
    /// Decompressed bytes returned so far.
    public private(set) var decompressedBytes = 0

    public init(label: String = "") throws {
        guard let context = ZSTD_createDCtx() else { throw FileError.zstd("cannot create a decompression context") }
        self.context = context
        self.label = label
        outSize = ZSTD_DStreamOutSize()
        outBuffer = UnsafeMutableRawPointer.allocate(byteCount: outSize, alignment: 16)
    }

    deinit {
        ZSTD_freeDCtx(context)
        outBuffer.deallocate()
    }

    /// The next compressed bytes; call ``next()`` until nil before feeding more.
    public func feed(_ bytes: [UInt8]) {
        precondition(position >= pending.count, "feed before the previous input was consumed")
        pending = bytes
        position = 0
        compressedBytes += bytes.count
    }

    /// The next piece of decompressed bytes, or nil when the input fed so far is used up.
    public func next() throws -> [UInt8]? {
        while position < pending.count || outputFull {
            let (consumed, produced) = try pending.withUnsafeBytes { raw -> (Int, [UInt8]) in
                var input = ZSTD_inBuffer(src: raw.baseAddress, size: raw.count, pos: position)
                let piece = try step(&input)
                return (input.pos, piece)
            }
            position = consumed
            if !produced.isEmpty { return produced }
        }
        return nil
    }

    /// Call at the end of the input: drains what libzstd still holds; throws if the stream ended inside a frame
    /// or was empty. Returns the last decompressed bytes (often empty).
    public func finish() throws -> [UInt8] {
        var tail: [UInt8] = []
        while frameOpen {
            var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
            let piece = try step(&input)
            if piece.isEmpty { throw FileError.zstd("\(name) is truncated: the last frame ends early") }
            tail += piece
        }
        guard compressedBytes > 0 else { throw FileError.zstd("\(name) is empty") }
        return tail
    }

    private var name: String { label.isEmpty ? "the input" : label }

    private func step(_ input: inout ZSTD_inBuffer) throws -> [UInt8] {
        var out = ZSTD_outBuffer(dst: outBuffer, size: outSize, pos: 0)
        let consumedBefore = input.pos
        let hint = ZSTD_decompressStream(context, &out, &input)
        if ZSTD_isError(hint) != 0 {
            throw FileError.zstd("\(name) is corrupt: \(String(cString: ZSTD_getErrorName(hint)))")
        }
        // A call that neither read nor wrote (a flush after a frame ended exactly at a full buffer) asks for the
        // next frame's header: that says nothing about the frame that just ended.
        if out.pos > 0 || input.pos > consumedBefore { frameOpen = hint != 0 }
        outputFull = out.pos == out.size
        decompressedBytes += out.pos
        return Array(UnsafeRawBufferPointer(start: outBuffer, count: out.pos))
    }
}
