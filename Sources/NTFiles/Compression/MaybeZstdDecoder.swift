/// Reads an input that may or may not be zstd-compressed: the first four bytes decide (zstd's magic number
/// `28 B5 2F FD`); plain input passes through unchanged. Used by `neural-terminal import` and `POST /api/import`,
/// so a monthly archive (`.jsonl.zst`) imports as it is.
public final class MaybeZstdDecoder {
    private var head: [UInt8] = []
    private var decoder: ZstdDecoder?
    private var decided = false
    private var plain: [UInt8]?
    public let label: String

    /// zstd's frame magic number, little-endian on disk.
    public static let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    public init(label: String = "") {
        self.label = label
    }

    /// Whether the input turned out to be zstd (false until four bytes were seen).
    public var isCompressed: Bool { decoder != nil }

    /// The next raw bytes; then call ``next()`` until nil.
    public func feed(_ bytes: [UInt8]) throws {
        if decided {
            if let decoder { decoder.feed(bytes) } else { plain = bytes }
            return
        }
        head += bytes
        guard head.count >= Self.magic.count else { return }
        try decide()
    }

    /// The next decoded piece, or nil when the fed bytes are used up.
    public func next() throws -> [UInt8]? {
        if let decoder { return try decoder.next() }
        defer { plain = nil }
        return plain.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Call at the end of the input; returns the last decoded bytes (an input shorter than four bytes is plain).
    public func finish() throws -> [UInt8] {
        if !decided {
            defer { head = [] }
            decided = true
            return head
        }
        return try decoder?.finish() ?? []
    }

    private func decide() throws {
        decided = true
        let bytes = head
        head = []
        if Array(bytes.prefix(4)) == Self.magic {
            let decoder = try ZstdDecoder(label: label)
            decoder.feed(bytes)
            self.decoder = decoder
        } else {
            plain = bytes
        }
    }
}
