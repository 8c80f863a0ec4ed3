import Hummingbird
import NTHTTP

/// The UI's files, compiled into the binary: no resource bundle beside it, no CDN.
///
/// Assets are served with a strong ETag (a hash of the content computed once) and revalidated by the browser;
/// the page shell itself is never cached so a new binary's UI shows at once.
enum AssetRoutes {
    struct Asset: Sendable {
        let body: String
        let contentType: String
        let etag: String

        init(_ body: String, contentType: String) {
            self.body = body
            self.contentType = contentType
            self.etag = "\"\(Self.fnv1a(body))\""
        }

        static func fnv1a(_ text: String) -> String {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            return String(hash, radix: 16)
        }
    }

    static let assets: [String: Asset] = [
        "/": Asset(PageShell.html, contentType: "text/html; charset=utf-8"),
        "/assets/app.css": Asset(PageShell.css, contentType: "text/css; charset=utf-8"),
        "/assets/app.js": Asset(PageShell.js, contentType: "text/javascript; charset=utf-8"),
    ]

    static func add(to router: Router<AppRequestContext>) {
        for (path, asset) in assets {
            router.get(RouterPath(path)) { request, _ in
                var headers = HTTPFields()
                headers[.contentType] = asset.contentType
                headers[.eTag] = asset.etag
                headers[.cacheControl] = path == "/" ? "no-cache" : "public, max-age=300, must-revalidate"
                if request.headers[.ifNoneMatch] == asset.etag {
                    return Response(status: .notModified, headers: headers)
                }
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: asset.body)))
            }
        }
    }
}
