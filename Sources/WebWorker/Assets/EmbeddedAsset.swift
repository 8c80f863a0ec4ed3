/// One file of the browser UI: its name under `/assets/`, its content type and its body.
///
/// The bodies live in the generated ``EmbeddedAssets`` (from `Sources/WebWorker/Assets/web` by
/// `scripts/embed-assets.py`), so the binary needs no resource bundle beside it and no CDN.
struct EmbeddedAsset: Sendable {
    let name: String
    let contentType: String
    let body: String
    /// A strong validator for `If-None-Match`: a hash of the body, quoted as RFC 9110 requires.
    let etag: String

    init(name: String, contentType: String, body: String) {
        self.name = name
        self.contentType = contentType
        self.body = body
        self.etag = "\"\(Self.fnv1a(body))\""
    }

    /// 64-bit FNV-1a of the UTF-8 bytes: cheap, stable across runs, and enough to tell versions apart.
    static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// The content type for a file name, by extension (the same table as `scripts/embed-assets.py`).
    static func contentType(forName name: String) -> String? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        switch name[dot...] {
        case ".html": return "text/html; charset=utf-8"
        case ".css": return "text/css; charset=utf-8"
        case ".js": return "text/javascript; charset=utf-8"
        case ".svg": return "image/svg+xml"
        case ".txt": return "text/plain; charset=utf-8"
        default: return nil
        }
    }
}

extension EmbeddedAssets {
    /// The embedded files by name, built once.
    static let byName: [String: EmbeddedAsset] = Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0) })
}
