import NTSystem
import CZstd
#if canImport(Glibc)
import Glibc
#endif

/// Streaming zstd between files (backups, the CLI's archive check), through ``ZstdEncoder`` and ``ZstdDecoder``
/// (libzstd's `ZSTD_compressStream2` / `ZSTD_decompressStream`), with the frame's content checksum on. Memory stays
/// bounded (libzstd's recommended buffers plus its window, and 1 MiB reads) whatever the file size.
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
        var hasher = SHA256()
        var outputBytes = 0
        let encoder = try ZstdEncoder(level: level, pledgedSize: pledged) { chunk in
            try FileOps.writeAll(sink, chunk.baseAddress!, chunk.count, path: outputPath)
            hasher.update(chunk)
            outputBytes += chunk.count
        }
        let inSize = max(ZSTD_CStreamInSize(), FileOps.chunk)
        let inBuffer = UnsafeMutableRawPointer.allocate(byteCount: inSize, alignment: 16)
        defer { inBuffer.deallocate() }
        while true {
            guard shouldContinue() else { throw FileError.cancelled }
            let n = try FileOps.read(source, into: inBuffer, count: inSize, path: inputPath)
            if n == 0 { break }
            try encoder.write(UnsafeRawBufferPointer(start: inBuffer, count: n))
            progress(encoder.inputBytes)
        }
        try encoder.finish()
        progress(encoder.inputBytes)
        return Output(inputBytes: encoder.inputBytes, outputBytes: outputBytes, sha256: hasher.finalizeHex())
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
    /// each frame's checksum; a corrupt, truncated or empty file throws ``FileError/zstd(_:)``. Hashes the
    /// compressed bytes on the way. On failure `output` is removed.
    ///
    /// With `limit`, no more than `limit` decompressed bytes are ever written: the first piece that would go past
    /// it stops the decompression with ``FileError/exceedsLimit(path:limit:)`` (a few kilobytes of zstd can expand to
    /// gigabytes, so the expected size must bound the output, not just be compared at the end).
    public static func decompress(input: String, output: String?, limit: Int? = nil, progress: (Int) -> Void = { _ in }) throws -> Check {
        let source = try FileOps.openRead(input)
        defer { close(source) }
        let sink = try output.map { try FileOps.createNew($0) }
        var closed = false
        defer { if let sink, !closed { close(sink) } }
        do {
            let result = try decompress(source: source, sink: sink, inputPath: input, outputPath: output ?? "", limit: limit, progress: progress)
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

    static func decompress(
        source: Int32, sink: Int32?, inputPath: String, outputPath: String, limit: Int?, progress: (Int) -> Void
    ) throws -> Check {
        let decoder = try ZstdDecoder(label: inputPath)
        let inSize = max(ZSTD_DStreamInSize(), FileOps.chunk)
        var buffer = [UInt8](repeating: 0, count: inSize)
        var hasher = SHA256()
        var written = 0
        func emit(_ piece: [UInt8]) throws {
            written += piece.count
            if let limit, written > limit {
                throw FileError.exceedsLimit(path: inputPath, limit: limit)
            }
            guard let sink, !piece.isEmpty else { return }
            try piece.withUnsafeBytes { try FileOps.writeAll(sink, $0.baseAddress!, $0.count, path: outputPath) }
        }
        while true {
            let n = try buffer.withUnsafeMutableBytes { try FileOps.read(source, into: $0.baseAddress!, count: inSize, path: inputPath) }
            if n == 0 { break }
            let chunk = Array(buffer[0..<n])
            hasher.update(chunk)
            decoder.feed(chunk)
            while let piece = try decoder.next() { try emit(piece) }
            progress(decoder.compressedBytes)
        }
        try emit(try decoder.finish())
        return Check(compressedBytes: decoder.compressedBytes, decompressedBytes: decoder.decompressedBytes, sha256: hasher.finalizeHex())
    }
}
