import NTOpenRouter

/// The bytes of a string as UTF-8.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Runs chunks of a response body through a fresh parser and decoder, as the chat engine does,
/// including the end-of-stream flush.
func streamItems(_ chunks: [[UInt8]]) -> [StreamItem] {
    var parser = SSEParser()
    var decoder = ChunkDecoder()
    var items: [StreamItem] = []
    for chunk in chunks {
        for event in parser.feed(chunk) { items += decoder.decode(event) }
    }
    for event in parser.finish() { items += decoder.decode(event) }
    return items
}

/// Runs chunks through a fresh parser alone, including the end-of-stream flush.
func parsedEvents(_ chunks: [[UInt8]]) -> [SSEEvent] {
    var parser = SSEParser()
    return chunks.flatMap { parser.feed($0) } + parser.finish()
}

/// Cuts bytes into consecutive pieces of the given sizes (the last piece takes the rest).
func cut(_ whole: [UInt8], sizes: [Int]) -> [[UInt8]] {
    var pieces: [[UInt8]] = []
    var start = 0
    for size in sizes where start < whole.count {
        let end = min(whole.count, start + size)
        pieces.append(Array(whole[start..<end]))
        start = end
    }
    if start < whole.count { pieces.append(Array(whole[start...])) }
    return pieces
}

/// A small deterministic generator (SplitMix64), so a failing random split can be replayed from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
