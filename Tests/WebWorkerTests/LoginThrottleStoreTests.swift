import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NTAuth
import NTConfig
import NTHTTP
import NTStorage
import NTWorkerKit
import Testing
@testable import WebWorker

/// Which login throttle the web worker uses, and what a login meets when the shared one cannot be read.
struct LoginThrottleStoreTests {
    @Test("SQLite keeps the throttle in memory; a PostgreSQL storage.url shares it through the database")
    func theDatabaseDecidesTheStore() {
        var config = AppConfig()
        guard case .inMemory = LoginThrottleStore(config: ConfigStore(config)) else {
            Issue.record("SQLite: the in-memory throttle")
            return
        }
        config.storage.url = "postgres://nt@127.0.0.1:1/neural_terminal"
        guard case .shared = LoginThrottleStore(config: ConfigStore(config)) else {
            Issue.record("PostgreSQL: the shared throttle")
            return
        }
    }

    @Test("a login whose shared throttle cannot be read is refused with 503 storage_unavailable, the password unchecked")
    func anUnreadableThrottleFailsClosed() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nt-throttle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("db.sqlite").path
        try Migrator(database: SQLiteDatabase(path: path)).migrate()
        var config = AppConfig()
        config.auth.mode = "password"
        config.auth.passwordHash = Password.hash("the right password")
        let unreachable = SharedLoginThrottle(settings: { LoginThrottleSettings(maxFailures: 5, lockout: .seconds(300)) }) {
            throw StorageError(sqlState: StorageError.connectionState, message: "connection refused")
        }
        let gate = AuthGate(
            store: try AuthStore(path: path), config: ConfigStore(config), logger: Logger(label: "test"), throttle: .shared(unreachable)
        )
        let router = Router(context: AppRequestContext.self)
        router.addMiddleware { ErrorBoundaryMiddleware<AppRequestContext>() }
        AuthRoutes(gate: gate).add(to: RouteTable(router: router))
        try await Application(router: router).test(.router) { client in
            for password in ["a guess", "the right password"] {
                let answer = try await client.execute(
                    uri: "/api/auth/login", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"password":"\#(password)"}"#)
                )
                #expect(answer.status == .serviceUnavailable, "\(password): \(String(buffer: answer.body))")
                #expect(String(buffer: answer.body).contains(#""code":"storage_unavailable""#))
                #expect(answer.headers[.retryAfter] != nil)
            }
        }
    }
}
