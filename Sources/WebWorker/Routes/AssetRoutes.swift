import FoundationEssentials
import Hummingbird
import NTHTTP

/// The browser UI: `/` is `index.html`, `/assets/<name>` every other file; any other name is a 404.
///
/// Nothing outside the compiled asset set is reachable: the router matches `/assets/<one
/// segment>` without decoding it, the embedded set is a dictionary lookup, and the development folder serves only
/// plain names (``isPlainName(_:)``), so `..`, `%2e%2e%2f`, separators, NUL and hidden files are all a 404.
///
/// Files come from ``EmbeddedAssets`` (compiled into the binary). With `NEURAL_TERMINAL_ASSETS_DIR` set they are
/// read from that folder on every request instead, so UI work needs a reload, not a rebuild (development only).
///
/// Every answer carries a strong ETag and `Cache-Control: no-cache`: the browser keeps its copy but revalidates it
/// (a 304 on loopback costs well under a millisecond). Long max-ages would let a browser mix the modules of an
/// old binary with the page of a new one after an upgrade, since the module URLs carry no version.
enum AssetRoutes {
    /// Where the files come from.
    enum Source: Sendable {
        case embedded
        case directory(String)

        /// `NEURAL_TERMINAL_ASSETS_DIR` if set and non-empty, else the embedded set.
        static func fromEnvironment(_ environment: [String: String]) -> Source {
            guard let dir = environment["NEURAL_TERMINAL_ASSETS_DIR"], !dir.isEmpty else { return .embedded }
            return .directory(dir)
        }

        func asset(named name: String) -> EmbeddedAsset? {
            switch self {
            case .embedded:
                return EmbeddedAssets.byName[name]
            case .directory(let dir):
                guard isPlainName(name), let type = EmbeddedAsset.contentType(forName: name),
                      let data = try? Data(contentsOf: URL(filePath: dir).appending(path: name)) else { return nil }
                return EmbeddedAsset(name: name, contentType: type, body: String(decoding: data, as: UTF8.self))
            }
        }
    }

    /// A name that can only mean a file directly inside the folder: ASCII letters, digits, `.`, `_` and `-`, not
    /// starting with a dot, at most 255 bytes. Separators, `..`, percent escapes, backslashes and NUL cannot pass.
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first != UInt8(ascii: "."), name.utf8.count <= 255 else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }

    static func add(to router: Router<AppRequestContext>, source: Source) {
        router.get("/") { request, _ in try response(for: "index.html", request: request, source: source) }
        router.get("/assets/:name") { request, context in
            try response(for: context.parameters.get("name") ?? "", request: request, source: source)
        }
    }

    /// The answer for one asset: 200 with the body, 304 when the browser's copy is current, 404 for an unknown name.
    static func response(for name: String, request: Request, source: Source) throws -> Response {
        guard let asset = source.asset(named: name) else {
            throw APIError(.notFound, code: "not_found", message: "no such asset: \(name)")
        }
        var headers = HTTPFields()
        headers[.contentType] = asset.contentType
        headers[.eTag] = asset.etag
        headers[.cacheControl] = "no-cache"
        if let match = request.headers[.ifNoneMatch], matches(match, etag: asset.etag) {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: asset.body)))
    }

    /// `If-None-Match` holds a list of validators (possibly weak, `W/"…"`) or `*`.
    static func matches(_ header: String, etag: String) -> Bool {
        header.split(separator: ",").contains { part in
            let tag = String(part.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }
}
