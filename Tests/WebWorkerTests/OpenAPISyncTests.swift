import Foundation
import Hummingbird
import Logging
import NTAuth
import NTChat
import NTConfig
import NTWorkerKit
import NTHTTP
import NTOpenRouter
import NTStorage
import Testing
@testable import WebWorker

/// `docs/openapi.yaml` and the router describe the same API: every route is documented and every documented
/// operation exists.
struct OpenAPISyncTests {
    struct NoUpstream: ChatUpstream {
        func call(_ request: UpstreamChatRequest) -> any UpstreamCall {
            UpstreamEventQueue.failed(UpstreamFailure(code: "no_upstream", message: "no upstream", retryable: false))
        }
        func listModels() async throws -> [ModelInfo] { [] }
    }

    static var documentPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml").path
    }

    /// `(METHOD, /path)` pairs under `paths:` of the YAML file (two-space path keys, four-space method keys).
    static func documentedOperations() throws -> Set<String> {
        let text = try String(contentsOfFile: documentPath, encoding: .utf8)
        var operations: Set<String> = []
        var inPaths = false
        var currentPath: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") { inPaths = true; continue }
            if inPaths, let first = line.first, first != " " { break }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if let path = currentPath, line.hasPrefix("    "), !line.hasPrefix("     ") {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "patch", "delete"].contains(String(key)) {
                    operations.insert("\(key.uppercased()) \(path)")
                }
            }
        }
        return operations
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedOperationIsRouted() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nt-openapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("db.sqlite").path
        try Migrator(database: SQLiteDatabase(path: path)).migrate()
        let repository = try SQLChatRepository(path: path)
        let logger = Logger(label: "test")
        let service = ChatService(repository: repository, upstream: NoUpstream(), workerPID: 1, logger: logger) {
            ChatSettings(defaultModel: "fake/lorem")
        }
        let catalog = ModelsCatalog(repository: repository, upstream: NoUpstream(), logger: logger)
        let table = RouteTable(router: Router(context: AppRequestContext.self))
        let auth = AuthGate(store: try AuthStore(path: path), config: ConfigStore(AppConfig()), logger: logger)
        WebWorker.addAPIRoutes(to: table, service: service, repository: repository, catalog: catalog, auth: auth)

        let routed = Set(table.entries.map { "\($0.method) \($0.path)" })
        let documented = try Self.documentedOperations()
        #expect(routed.count >= 12)
        #expect(routed.subtracting(documented).isEmpty, "routes missing from docs/openapi.yaml: \(routed.subtracting(documented).sorted())")
        #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed).sorted())")
    }
}
