import Foundation
import NTPostgres
import PostgresTestSupport
import Testing

/// Two appliances, `a` and `b`, on one fresh PostgreSQL database (``TestPostgres``), each with its own
/// `instance.name`, one fake upstream, and HAProxy in front (``TestHAProxy``). Both require a password
/// (`auth.mode = "password"`), so a session or a token made on one must be found by the other in the database.
/// Always `stop()` it.
final class ApplianceCluster: @unchecked Sendable {
    static let password = "cluster password, long enough"

    let fake: FakeUpstream
    let database: (url: String, name: String)
    let a: Appliance
    let b: Appliance
    let proxy: TestHAProxy
    /// An API token (`Authorization: Bearer`) made with `neural-terminal token create` on `a`.
    let token: String

    /// The environment every appliance and command of the cluster runs with: the key and the database's password.
    static let environment = ["OPENROUTER_API_KEY": ChatTests.key, PostgresURL.passwordVariable: TestPostgres.password]

    private init(fake: FakeUpstream, database: (url: String, name: String), a: Appliance, b: Appliance, proxy: TestHAProxy, token: String) {
        (self.fake, self.database, self.a, self.b, self.proxy, self.token) = (fake, database, a, b, proxy, token)
    }

    /// Starts both appliances at once (their migrations meet at the advisory lock), sets the password and makes the
    /// token through `a`, then starts HAProxy once both are ready. What started is stopped again when a step fails.
    /// - Parameters:
    ///   - fakeArguments: the fake upstream's (how long and how slow its answers are).
    ///   - extra: TOML both appliances get (dotted keys, as in ``Appliance``'s `extraConfig`).
    static func start(fakeArguments: [String] = [], extra: String = "") async throws -> ApplianceCluster {
        let fake = try FakeUpstream(arguments: fakeArguments)
        var started: [Appliance] = []
        var proxy: TestHAProxy?
        do {
            let database = try TestPostgres.freshDatabase(prefix: "cluster")
            let shared = "storage.url = \"\(database.url)\"\nauth.mode = \"password\"\nserver.trusted_proxies = \"127.0.0.1\"\n" + extra
            for name in ["a", "b"] {
                let config = ChatTests.upstreamConfig(fake, extra: "instance.name = \"\(name)\"\n" + shared)
                started.append(try Appliance(extraConfig: config, environment: environment))
            }
            for (name, app) in zip(["a", "b"], started) { try await waitUntilReady(app, name) }
            let (a, b) = (started[0], started[1])
            let set = try await a.cli(["passwd", "--stdin"], environment: environment, stdin: password + "\n")
            guard set.code == 0 else { throw Timeout(description: "passwd failed: \(set.stderr)") }
            let created = try await a.cli(["token", "create", "--name", "cluster tests"], environment: environment)
            guard created.code == 0 else { throw Timeout(description: "token create failed: \(created.stderr)") }
            let balancer = try TestHAProxy(backends: [
                .init(name: "a", webPort: a.webPort, metricsPort: a.metricsPort),
                .init(name: "b", webPort: b.webPort, metricsPort: b.metricsPort),
            ])
            proxy = balancer
            try await balancer.waitUntil(up: ["a", "b"])
            let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            return ApplianceCluster(fake: fake, database: database, a: a, b: b, proxy: balancer, token: token)
        } catch {
            proxy?.stop()
            for app in started { await app.stop() }
            fake.stop()
            throw error
        }
    }

    /// Waits until `app` is ready; an appliance that exits instead (a configuration it refuses) fails at once with
    /// the end of its log.
    private static func waitUntilReady(_ app: Appliance, _ name: String) async throws {
        try await eventually(timeout: 30, "appliance \(name) ready") {
            guard app.process.isRunning else { return true }
            guard (try? app.metrics("/ready").status) == 200, let status = try? await app.status() else { return false }
            return status.workers.allSatisfy(\.ready)
        }
        guard app.process.isRunning else {
            let log = app.logLines().suffix(4).joined(separator: "\n")
            throw Timeout(description: "appliance \(name) exited with status \(app.process.terminationStatus): \(log)")
        }
    }

    /// `Authorization` with the cluster's token.
    var bearer: [String: String] { ["Authorization": "Bearer \(token)"] }

    /// A request with the token to `port`: ``TestHAProxy/port``, or an appliance's `webPort` directly.
    func send(_ method: String, port: Int, _ path: String, json: String? = nil, timeout: Double = 30) async throws -> RawHTTP.Answer {
        try await RawHTTP.send(method, port: port, path: path, json: json, headers: bearer, timeout: timeout)
    }

    /// `POST /api/chat` with the token to `port`: a new conversation unless `conversation` is given.
    func chat(port: Int, _ message: String, model: String? = nil, conversation: String? = nil, timeout: Double = 30) async throws -> RawHTTP.Answer {
        var body: [String: String] = ["message": message]
        if let model { body["model"] = model }
        if let conversation { body["conversation_id"] = conversation }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        return try await send("POST", port: port, "/api/chat", json: json, timeout: timeout)
    }

    /// A new conversation made through `port`; returns its id.
    func createConversation(port: Int, title: String = "cluster") async throws -> String {
        let answer = try await send("POST", port: port, "/api/conversations", json: #"{"title":"\#(title)"}"#)
        guard answer.status == 201, let id = answer.object?["id"] as? String else {
            throw Timeout(description: "creating a conversation through port \(port) answered \(answer.status): \(answer.body)")
        }
        return id
    }

    /// The conversation's visible messages as `port` reads them.
    func messages(port: Int, _ conversation: String) async throws -> [[String: Any]] {
        try await send("GET", port: port, "/api/conversations/\(conversation)").object?["messages"] as? [[String: Any]] ?? []
    }

    /// A connection to the cluster's database, as its superuser.
    func sql() throws -> PostgresConnection { try TestPostgres.connect(database.url) }

    func stop() async {
        proxy.stop()
        await a.stop()
        await b.stop()
        fake.stop()
        TestPostgres.drop(database: database.name)
    }
}

extension Appliance {
    /// Kills the supervisor and every worker with SIGKILL at once, as a lost machine or `kill -9` of a container's
    /// processes: nothing drains, nothing is marked, no worker is restarted. The supervisor is stopped (SIGSTOP)
    /// first, so it cannot restart a worker between the kills, and the workers die before their parent (their
    /// parent-death signal would otherwise let them drain).
    func killEverything() {
        kill(pid, SIGSTOP)
        killTree(pid)
    }
}
