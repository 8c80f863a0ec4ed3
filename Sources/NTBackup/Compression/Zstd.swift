import NTSystem
import CZstd
#if canImport(Glibc)
import Glibc
#endif

/// Streaming zstd between files through libzstd's `ZSTD_compressStream2` / `ZSTD_decompressStream`, with the
/// frame's content checksum on. Memory stays bounded (libzstd's recommended buffers plus its window) whatever
/// the file size.
public enum Zstd {
    /// What a compression produced.
    public struct Output: Sendable, Equatable {
        /// Bytes read from the input.
        public var inputBytes: Int
        /// Bytes written to the output (the compressed file).
        public var outputBytes: Int
        /// SHA-256 of the output, as hex.
        public var sha256: String
    }

    /// libzstd's version string.
    public static var version: String { String(cString: ZSTD_versionString()) }

    /// Compresses the file at `input` into the new file `output` (fsynced before returning), calling
    /// `progress(bytesRead)` after each chunk. On failure `output` is removed.
    public static func compress(
        input: String, output: String, level: Int32, shouldContinue: () -> Bool = { true }, progress: (Int) -> Void = { _ in }
    ) throws -> Output {
        let source = try FileOps.openRead(input)
        defer { close(source) }
        let sink = try FileOps.createNew(output)
        var closed = false
        defer { if !closed { close(sink) } }
        do {
            let result = try compress(source: source, sink: sink, inputPath: input, outputPath: output, level: level,
                                      pledged: FileOps.size(input), shouldContinue: shouldContinue, progress: progress)
            try FileOps.sync(sink, path: output)
            close(sink)
            closed = true
            return result
        } catch {
            FileOps.remove(output)
            throw error
        }
    }

    static func compress(
        source: Int32, sink: Int32, inputPath: String, outputPath: String, level: Int32, pledged: Int?,
        shouldContinue: () -> Bool, progress: (Int) -> Void
    ) throws -> Output {
        guard let context = ZSTD_createCCtx() else { throw BackupError.zstd("cannot create a compression context") }
        defer { ZSTD_freeCCtx(context) }
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level))
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1))
        if let pledged { try check(ZSTD_CCtx_setPledgedSrcSize(context, UInt64(pledged))) }

        let inSize = max(ZSTD_CStreamInSize(), FileOps.chunk)
        let outSize = ZSTD_CStreamOutSize()
        let inBuffer = UnsafeMutableRawPointer.allocate(byteCount: inSize, alignment: 16)
        let outBuffer = UnsafeMutableRawPointer.allocate(byteCount: outSize, alignment: 16)
        defer { inBuffer.deallocate(); outBuffer.deallocate() }
        var hasher = SHA256()
        var totals = Output(inputBytes: 0, outputBytes: 0, sha256: "")
        while true {
            guard shouldContinue() else { throw BackupError.cancelled }
            let n = try FileOps.read(source, into: inBuffer, count: inSize, path: inputPath)
            totals.inputBytes += n
            let directive = n == 0 ? ZSTD_e_end : ZSTD_e_continue
            var input = ZSTD_inBuffer(src: inBuffer, size: n, pos: 0)
            var finished = false
            while !finished {
                var out = ZSTD_outBuffer(dst: outBuffer, size: outSize, pos: 0)
                let remaining = ZSTD_compressStream2(context, &out, &input, directive)
                try check(remaining)
                if out.pos > 0 {
                    try FileOps.writeAll(sink, outBuffer, out.pos, path: outputPath)
                    hasher.update(UnsafeRawBufferPointer(start: outBuffer, count: out.pos))
                    totals.outputBytes += out.pos
                }
                finished = directive == ZSTD_e_end ? remaining == 0 : input.pos == input.size
            }
            progress(totals.inputBytes)
            if n == 0 { break }
        }
        totals.sha256 = hasher.finalizeHex()
        return totals
    }

    /// What a decompression found.
    public struct Check: Sendable, Equatable {
        /// Bytes of the compressed file.
        public var compressedBytes: Int
        /// Bytes it decompressed to.
        public var decompressedBytes: Int
        /// SHA-256 of the compressed file, as hex.
        public var sha256: String
    }

    /// Decompresses the file at `input` into the new file `output` (or nowhere, when nil, to check it), verifying
    /// each frame's checksum; a corrupt, truncated or empty file throws ``BackupError/zstd(_:)``. Hashes the
    /// compressed bytes on the way. On failure `output` is removed.
    public static func decompress(input: String, output: String?, progress: (Int) -> Void = { _ in }) throws -> Check {
        let source = try FileOps.openRead(input)
        defer { close(source) }
        let sink = try output.map { try FileOps.createNew($0) }
        var closed = false
        defer { if let sink, !closed { close(sink) } }
        do {
            let result = try decompress(source: source, sink: sink, inputPath: input, outputPath: output ?? "", progress: progress)
            if let sink, let output {
                try FileOps.sync(sink, path: output)
                close(sink)
                closed = true
            }
            return result
        } catch {
            if let output { FileOps.remove(output) }
            throw error
        }
    }

    static func decompress(source: Int32, sink: Int32?, inputPath: String, outputPath: String, progress: (Int) -> Void) throws -> Check {
        guard let context = ZSTD_createDCtx() else { throw BackupError.zstd("cannot create a decompression context") }
        defer { ZSTD_freeDCtx(context) }
        let inSize = max(ZSTD_DStreamInSize(), FileOps.chunk)
        let outSize = ZSTD_DStreamOutSize()
        let inBuffer = UnsafeMutableRawPointer.allocate(byteCount: inSize, alignment: 16)
        let outBuffer = UnsafeMutableRawPointer.allocate(byteCount: outSize, alignment: 16)
        defer { inBuffer.deallocate(); outBuffer.deallocate() }
        var hasher = SHA256()
        var result = Check(compressedBytes: 0, decompressedBytes: 0, sha256: "")
        var frameOpen = false
        while true {
            let n = try FileOps.read(source, into: inBuffer, count: inSize, path: inputPath)
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(start: inBuffer, count: n))
            result.compressedBytes += n
            var input = ZSTD_inBuffer(src: inBuffer, size: n, pos: 0)
            while input.pos < input.size {
                var out = ZSTD_outBuffer(dst: outBuffer, size: outSize, pos: 0)
                let hint = ZSTD_decompressStream(context, &out, &input)
                if ZSTD_isError(hint) != 0 {
                    throw BackupError.zstd("\(inputPath) is corrupt: \(String(cString: ZSTD_getErrorName(hint)))")
                }
                if out.pos > 0, let sink {
                    try FileOps.writeAll(sink, outBuffer, out.pos, path: outputPath)
                }
                result.decompressedBytes += out.pos
                frameOpen = hint != 0
            }
            progress(result.compressedBytes)
        }
        // Flush what the decoder still holds for the last frame.
        while frameOpen {
            var input = ZSTD_inBuffer(src: inBuffer, size: 0, pos: 0)
            var out = ZSTD_outBuffer(dst: outBuffer, size: outSize, pos: 0)
            let hint = ZSTD_decompressStream(context, &out, &input)
            if ZSTD_isError(hint) != 0 {
                throw BackupError.zstd("\(inputPath) is corrupt: \(String(cString: ZSTD_getErrorName(hint)))")
            }
            if out.pos > 0, let sink { try FileOps.writeAll(sink, outBuffer, out.pos, path: outputPath) }
            result.decompressedBytes += out.pos
            if out.pos == 0 {
                throw BackupError.zstd("\(inputPath) is truncated: the last frame ends early")
            }
            frameOpen = hint != 0
        }
        guard result.compressedBytes > 0 else { throw BackupError.zstd("\(inputPath) is empty") }
        result.sha256 = hasher.finalizeHex()
        return result
    }

    private static func check(_ code: Int) throws {
        if ZSTD_isError(code) != 0 { throw BackupError.zstd(String(cString: ZSTD_getErrorName(code))) }
    }
}
