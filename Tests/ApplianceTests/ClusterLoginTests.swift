import Foundation
import Testing

/// Password guessing against two appliances on one PostgreSQL database (``ApplianceCluster``): the login throttle
/// lives in the database, so spreading guesses over the appliances gains nothing.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ClusterLoginTests {
    static let client = "198.51.100.7"

    @Test("failed logins alternating over both appliances lock the client out on both after login_max_failures")
    func guessesSpreadOverBothAppliancesLockTheClientOutOnBoth() async throws {
        let cluster = try await ApplianceCluster.start(extra: "limits.login_max_failures = 3\nlimits.login_lockout_seconds = 600\n")
        defer { Task { await cluster.stop() } }
        let (a, b) = (cluster.a, cluster.b)
        // The balancer's X-Forwarded-For names the client (the cluster trusts 127.0.0.1).
        let attempt = { (app: Appliance, password: String) in
            try await RawHTTP.send("POST", port: app.webPort, path: "/api/auth/login", json: #"{"password":"\#(password)"}"#,
                                   headers: ["X-Forwarded-For": Self.client])
        }
        // Guesses as a round-robin balancer spreads them: a, b, a. Each failure makes the next attempt wait, on
        // either appliance (429 login_throttled with Retry-After, honoured here).
        var waits: [String] = []
        for (turn, app) in [a, b, a].enumerated() {
            var answer = try await attempt(app, "guess number \(turn)")
            while answer.status == 429, Self.code(answer) == "login_throttled" {
                waits.append(answer.headers["retry-after"] ?? "?")
                try await Task.sleep(for: .seconds(Int(answer.headers["retry-after"] ?? "1") ?? 1))
                answer = try await attempt(app, "guess number \(turn)")
            }
            #expect(answer.status == 401, "guess \(turn): \(answer.status) \(answer.body)")
        }
        #expect(waits == ["1", "2"], "the delay after each failure is the cluster's, not one appliance's: \(waits)")
        // Three failures in all: locked out on both, even with the right password.
        for app in [a, b] {
            let locked = try await attempt(app, ApplianceCluster.password)
            #expect(locked.status == 429 && Self.code(locked) == "login_locked", "\(locked.status) \(locked.body)")
            #expect(Int(locked.headers["retry-after"] ?? "") ?? 0 > 500)
        }
        // Another client behind the balancer still gets in.
        let owner = try await RawHTTP.send("POST", port: b.webPort, path: "/api/auth/login",
                                           json: #"{"password":"\#(ApplianceCluster.password)"}"#, headers: ["X-Forwarded-For": "198.51.100.8"])
        #expect(owner.status == 200, "\(owner.body)")
        let counted = try cluster.sql().query("SELECT failures FROM login_throttle WHERE client = '\(Self.client)'")
        #expect(counted.rowCount == 1 && counted.int(row: 0, column: 0) == 3, "the failures are counted in the database")
    }

    static func code(_ answer: RawHTTP.Answer) -> String? {
        (answer.object?["error"] as? [String: Any])?["code"] as? String
    }
}
