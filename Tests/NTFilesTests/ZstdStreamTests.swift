import NTFiles
import Testing

@Suite("zstd in memory: encoder, decoder, sniffing")
struct ZstdStreamTests {
    static func compress(_ bytes: [UInt8], level: Int32 = 3) throws -> [UInt8] {
        var out: [UInt8] = []
        let encoder = try ZstdEncoder(level: level) { out += Array($0) }
        try encoder.write(bytes)
        try encoder.finish()
        return out
    }

    static func decompress(_ bytes: [UInt8], chunk: Int) throws -> [UInt8] {
        let decoder = try ZstdDecoder(label: "test")
        var out: [UInt8] = []
        var start = 0
        while start < bytes.count {
            decoder.feed(Array(bytes[start..<min(bytes.count, start + chunk)]))
            while let piece = try decoder.next() {
                #expect(piece.count <= 1 << 17, "pieces are bounded by libzstd's output size")
                out += piece
            }
            start += chunk
        }
        return out + (try decoder.finish())
    }

    static let text: [UInt8] = (0..<50_000).flatMap { Array("line \($0 % 313): some text to squeeze\n".utf8) }

    @Test("concatenated frames decode as one stream, fed in any chunk size", arguments: [1, 7, 4096, 1 << 20])
    func concatenatedFrames(_ chunk: Int) throws {
        let first = Array(Self.text.prefix(100_000)), second = Array(Self.text.dropFirst(100_000))
        let joined = try Self.compress(first) + Self.compress(second, level: 1)
        #expect(try Self.decompress(joined, chunk: chunk) == Self.text)
    }

    @Test("a truncated stream and a corrupt byte are refused")
    func damage() throws {
        let packed = try Self.compress(Self.text)
        #expect(throws: FileError.self) { try Self.decompress(Array(packed.dropLast(3)), chunk: 4096) }
        var flipped = packed
        flipped[packed.count / 2] ^= 0xFF
        #expect(throws: FileError.self) { try Self.decompress(flipped, chunk: 4096) }
        #expect(throws: FileError.self) { try Self.decompress([], chunk: 4096) }
    }

    @Test("the sniffing decoder passes plain input through and decompresses zstd, whatever the first chunk's size")
    func sniffing() throws {
        for input in [Self.text, try Self.compress(Self.text)] {
            for chunk in [1, 3, 5, 65_536] {
                let decoder = MaybeZstdDecoder()
                var out: [UInt8] = []
                var start = 0
                while start < input.count {
                    try decoder.feed(Array(input[start..<min(input.count, start + chunk)]))
                    while let piece = try decoder.next() { out += piece }
                    start += chunk
                }
                out += try decoder.finish()
                #expect(out == Self.text, "chunk \(chunk)")
            }
        }
        let tiny = MaybeZstdDecoder()
        try tiny.feed(Array("{}".utf8))
        #expect(try tiny.next() == nil)
        #expect(try tiny.finish() == Array("{}".utf8))
    }
}

extension ZstdStreamTests {
    @Test("a frame that ends exactly where an output buffer fills is complete, not truncated")
    func frameEndingOnABufferBoundary() throws {
        // Zeros compress to almost nothing, so whole 128 KiB output buffers fill from a few input bytes.
        for size in [1 << 17, 2 << 17, (1 << 20) + (1 << 17), 5 << 20] {
            let zeros = [UInt8](repeating: 0, count: size)
            #expect(try Self.decompress(Self.compress(zeros), chunk: 1 << 20) == zeros, "\(size)")
        }
    }
}
