import Hummingbird
import NTChat

/// How deeply a JSON text nests arrays and objects, measured on the raw bytes before any decoder sees them.
///
/// A decoder recurses once per level, so `[[[[…` a hundred thousand deep could exhaust a thread's stack (Foundation's
/// decoder happens to stop at 512, but nothing promises that). This is one linear pass with no allocation and no
/// recursion: brackets inside strings (escapes honoured) do not count (`NTChat.JSONNesting`). It does not validate the JSON; text that is
/// not JSON passes here and is refused by the decoder.
enum JSONDepth {
    /// True when some array or object in `bytes` is nested more than `limit` levels deep (`{}` is depth 1).
    static func exceeds(_ limit: Int, in bytes: some Sequence<UInt8>) -> Bool {
        var depth = 0
        var nesting = JSONNesting()
        for byte in bytes {
            // Unbalanced closers are invalid JSON (the decoder refuses them); never let them hide depth.
            depth = max(0, depth + nesting.step(byte))
            if depth > limit { return true }
        }
        return false
    }

    /// The same for a collected request body, scanned in place.
    static func exceeds(_ limit: Int, in buffer: ByteBuffer) -> Bool {
        buffer.withUnsafeReadableBytes { exceeds(limit, in: $0) }
    }
}
