import Foundation
import NTFiles
import NTSystem
import Testing

@Suite("zstd streaming between files")
struct ZstdTests {
    func write(_ bytes: [UInt8], _ path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func read(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    @Test("a multi-megabyte file survives a round trip; the frame carries a checksum; the hash is of the output")
    func roundTrip() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        var input: [UInt8] = []
        for i in 0..<300_000 { input.append(contentsOf: Array("row \(i % 977) lorem ipsum \n".utf8)) }
        try write(input, scratch.path + "/in")
        let out = try Zstd.compress(input: scratch.path + "/in", output: scratch.path + "/in.zst", level: 3)
        #expect(out.inputBytes == input.count)
        #expect(out.outputBytes < input.count / 4)
        let compressed = try read(scratch.path + "/in.zst")
        #expect(out.sha256 == SHA256.hex(of: compressed))
        #expect(compressed[4] & 0x04 != 0, "frame header descriptor: content checksum flag set")

        let check = try Zstd.decompress(input: scratch.path + "/in.zst", output: scratch.path + "/out")
        #expect(check.decompressedBytes == input.count)
        #expect(check.sha256 == out.sha256)
        #expect(try read(scratch.path + "/out") == input)
    }

    @Test("a flipped byte, a truncated file and an empty file are all detected, and leave no output")
    func damage() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let input = (0..<2_000_000).map { UInt8(truncatingIfNeeded: ($0 * 2_654_435_761) >> 13) & 0x3f }
        try write(input, scratch.path + "/in")
        _ = try Zstd.compress(input: scratch.path + "/in", output: scratch.path + "/good.zst", level: 1)
        var bytes = try read(scratch.path + "/good.zst")

        bytes[bytes.count / 2] ^= 0xff
        try write(bytes, scratch.path + "/flipped.zst")
        #expect(throws: FileError.self) { try Zstd.decompress(input: scratch.path + "/flipped.zst", output: scratch.path + "/o1") }
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/o1"))

        bytes[bytes.count / 2] ^= 0xff
        try write(Array(bytes.prefix(bytes.count - 100)), scratch.path + "/short.zst")
        #expect(throws: FileError.self) { try Zstd.decompress(input: scratch.path + "/short.zst", output: scratch.path + "/o2") }
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/o2"))

        try write([], scratch.path + "/empty.zst")
        #expect(throws: FileError.self) { try Zstd.decompress(input: scratch.path + "/empty.zst", output: nil) }
    }
}
