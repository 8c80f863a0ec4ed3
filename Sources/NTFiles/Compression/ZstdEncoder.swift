import CZstd

/// A push-style zstd compressor: give it bytes as they come, it hands compressed bytes to `output` in pieces of
/// at most libzstd's recommended output size. One encoder writes one frame (content checksum on); ``finish()``
/// ends it. Memory is libzstd's context and one output buffer, whatever the amount of data.
///
/// Use it from one thread at a time. Archives and backups both write through it, so every file this binary
/// compresses is a standard zstd frame that `zstd -d` reads.
public final class ZstdEncoder {
    private let context: OpaquePointer
    private let outBuffer: UnsafeMutableRawPointer
    private let outSize: Int
    private let output: (UnsafeRawBufferPointer) throws -> Void
    private var finished = false
    /// Bytes given to ``write(_:)`` so far.
    public private(set) var inputBytes = 0

    /// - Parameters:
    ///   - level: zstd level, 1…19.
    ///   - pledgedSize: the exact number of bytes that will be written, when known (stored in the frame header).
    ///   - output: receives the compressed bytes; a throw ends the compression with that error.
    public init(level: Int32, pledgedSize: Int? = nil, output: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let context = ZSTD_createCCtx() else { throw FileError.zstd("cannot create a compression context") }
        self.context = context
        outSize = ZSTD_CStreamOutSize()
        outBuffer = UnsafeMutableRawPointer.allocate(byteCount: outSize, alignment: 16)
        self.output = output
        do {
            try Self.check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level))
            try Self.check(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1))
            if let pledgedSize { try Self.check(ZSTD_CCtx_setPledgedSrcSize(context, UInt64(pledgedSize))) }
        } catch {
            ZSTD_freeCCtx(context)
            outBuffer.deallocate()
            throw error
        }
    }

    deinit {
        ZSTD_freeCCtx(context)
        outBuffer.deallocate()
    }

    /// Compresses `bytes` (output may be held back by libzstd until more input or ``finish()``).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!finished, "write after finish")
        inputBytes += bytes.count
        var input = ZSTD_inBuffer(src: bytes.baseAddress, size: bytes.count, pos: 0)
        while input.pos < input.size {
            try step(&input, ZSTD_e_continue)
        }
    }

    /// Compresses `bytes`.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Flushes everything and ends the frame (writes its checksum).
    public func finish() throws {
        guard !finished else { return }
        var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        while try step(&input, ZSTD_e_end) != 0 {}
        finished = true
    }

    /// One call of `ZSTD_compressStream2`; returns what libzstd says is left to flush.
    @discardableResult
    private func step(_ input: inout ZSTD_inBuffer, _ directive: ZSTD_EndDirective) throws -> Int {
        var out = ZSTD_outBuffer(dst: outBuffer, size: outSize, pos: 0)
        let remaining = ZSTD_compressStream2(context, &out, &input, directive)
        try Self.check(remaining)
        if out.pos > 0 { try output(UnsafeRawBufferPointer(start: outBuffer, count: out.pos)) }
        return remaining
    }

    static func check(_ code: Int) throws {
        if ZSTD_isError(code) != 0 { throw FileError.zstd(String(cString: ZSTD_getErrorName(code))) }
    }
}
