import Foundation
import Hummingbird
import NTHTTP
import Testing
@testable import WebWorker

/// The UI compiled into the binary is exactly the files in `Sources/WebWorker/Assets/web`, and is served with
/// validators; a stale `EmbeddedAssets.swift` (someone edited a file and forgot `scripts/embed-assets.py`) fails.
struct EmbeddedAssetsTests {
    static var webDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/WebWorker/Assets/web")
    }

    static func sourceFiles() throws -> [String: String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: webDirectory.path).filter { !$0.hasPrefix(".") }
        var files: [String: String] = [:]
        for name in names {
            files[name] = try String(contentsOf: webDirectory.appendingPathComponent(name), encoding: .utf8)
        }
        return files
    }

    @Test func theEmbeddedFilesAreTheSourceFilesByteForByte() throws {
        let sources = try Self.sourceFiles()
        let embedded = EmbeddedAssets.byName
        let hint = "run scripts/embed-assets.py"
        #expect(Set(sources.keys) == Set(embedded.keys), "files differ from the embedded set; \(hint)")
        for (name, text) in sources {
            let same = embedded[name]?.body == text  // a Bool, so a failure names the file instead of dumping it
            #expect(same, "\(name) changed since it was embedded; \(hint)")
        }
        #expect(embedded["index.html"] != nil)
    }

    @Test func everyAssetHasTheContentTypeOfItsExtension() {
        for asset in EmbeddedAssets.files {
            #expect(asset.contentType == EmbeddedAsset.contentType(forName: asset.name), "\(asset.name)")
        }
    }

    @Test func anAssetIsServedWithAnETagAndRevalidated() throws {
        let asset = try #require(EmbeddedAssets.byName["app.js"])
        let first = try AssetRoutes.response(for: "app.js", request: Self.request("/assets/app.js"), source: .embedded)
        #expect(first.status == .ok)
        #expect(first.headers[.eTag] == asset.etag)
        #expect(first.headers[.cacheControl] == "no-cache")
        #expect(first.headers[.contentType] == "text/javascript; charset=utf-8")

        let again = try AssetRoutes.response(
            for: "app.js", request: Self.request("/assets/app.js", ifNoneMatch: "\"other\", \(asset.etag)"), source: .embedded
        )
        #expect(again.status == .notModified)
        let stale = try AssetRoutes.response(for: "app.js", request: Self.request("/assets/app.js", ifNoneMatch: "\"old\""), source: .embedded)
        #expect(stale.status == .ok)
    }

    @Test func unknownNamesAreNotFoundAndTheDiskSourceRefusesPaths() throws {
        #expect(throws: APIError.self) {
            try AssetRoutes.response(for: "secret.txt", request: Self.request("/assets/secret.txt"), source: .embedded)
        }
        let disk = AssetRoutes.Source.directory(Self.webDirectory.path)
        #expect(disk.asset(named: "app.css") != nil)
        #expect(disk.asset(named: "../web/app.css") == nil)
        #expect(disk.asset(named: ".hidden.js") == nil)
        #expect(disk.asset(named: "missing.js") == nil)
        #expect(AssetRoutes.Source.fromEnvironment([:]).asset(named: "index.html")?.body == EmbeddedAssets.byName["index.html"]?.body)
    }

    static func request(_ path: String, ifNoneMatch: String? = nil) -> Request {
        var head = HTTPRequest(method: .get, scheme: "http", authority: "127.0.0.1", path: path)
        if let ifNoneMatch { head.headerFields[.ifNoneMatch] = ifNoneMatch }
        return Request(head: head, body: .init(buffer: ByteBuffer()))
    }
}
