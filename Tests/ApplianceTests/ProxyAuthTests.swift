import Foundation
import Testing

/// Single sign-on through a trusted reverse proxy (`auth.mode = "proxy"`), end to end: Debian's nginx in front of
/// the real binary, asking a small auth service who each request belongs to (`auth_request`) and passing the name
/// on in `Remote-User`. nginx connects from 127.0.0.2, the only address in `server.trusted_proxies`; the tests'
/// own requests straight to the appliance come from 127.0.0.1.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ProxyAuthTests {
    /// Who the auth service knows: Basic user, password, and the name it reports.
    static let people: [(user: String, password: String, name: String)] = [
        ("alice", "alice-pw", "alice"), ("bob", "bob-pw", "bob"), ("carol", "carol-pw", "carol"),
        ("dave", "dave-pw", "dave"), ("eve", "eve-pw", "eve smith"), ("frank", "frank-pw", "frank"),
    ]

    static func credentials(_ user: String) -> (user: String, password: String) {
        let person = people.first { $0.user == user }!
        return (person.user, person.password)
    }

    static func config(createAccounts: Bool, trusted: String = NginxProxy.proxyAddress) -> String {
        "auth.mode = \"proxy\"\nserver.trusted_proxies = \"\(trusted)\"\nauth.proxy_create_accounts = \(createAccounts)\n"
    }

    /// An appliance in proxy mode behind nginx, with alice and bob's accounts made as an operator would.
    static func start(createAccounts: Bool = false) async throws -> (Appliance, NginxProxy) {
        let app = try Appliance(extraConfig: config(createAccounts: createAccounts))
        do {
            try await app.waitUntilReady()
            for name in ["alice", "bob"] {
                let added = try await app.cli(["user", "add", name, "--no-password"])
                #expect(added.code == 0, "\(added.stderr)")
            }
            let proxy = try NginxProxy(appliancePort: app.webPort, people: people)
            try await proxy.waitUntilReady()
            return (app, proxy)
        } catch {
            await app.stop()
            throw error
        }
    }

    static func session(_ answer: RawHTTP.Answer) -> (mode: String?, via: String?, name: String?, role: String?) {
        let user = answer.object?["user"] as? [String: Any]
        return (answer.object?["mode"] as? String, answer.object?["via"] as? String, user?["name"] as? String, user?["role"] as? String)
    }

    static func errorCode(_ answer: RawHTTP.Answer) -> String? {
        (answer.object?["error"] as? [String: Any])?["code"] as? String
    }

    static func errorMessage(_ answer: RawHTTP.Answer) -> String {
        (answer.object?["error"] as? [String: Any])?["message"] as? String ?? answer.body
    }

    @Test func eachPersonSignedInByTheProxyIsThemselvesAndTheHeaderIsBelievedFromTheProxyOnly() async throws {
        let (app, proxy) = try await Self.start()
        defer { proxy.stop(); Task { await app.stop() } }

        let alice = try await proxy.send("GET", "/api/auth/session", as: Self.credentials("alice"))
        #expect(alice.status == 200, "\(alice.body) nginx: \(proxy.errorLog)")
        #expect(Self.session(alice) == ("proxy", "proxy", "alice", "member"))
        #expect(alice.object?["authenticated"] as? Bool == true)
        // nginx replaces what the client sends in Remote-User: alice cannot pass herself off as bob.
        let forged = try await proxy.send("GET", "/api/auth/session", as: Self.credentials("alice"), headers: ["Remote-User": "bob"])
        #expect(Self.session(forged).name == "alice")
        #expect(Self.session(try await proxy.send("GET", "/api/auth/session", as: Self.credentials("bob"))).name == "bob")
        // No credential, or a wrong one: nginx's auth service refuses before the appliance is asked.
        #expect(try await proxy.send("GET", "/api/auth/session", as: nil).status == 401)
        #expect(try await proxy.send("GET", "/api/conversations", as: ("alice", "wrong"), headers: ["Remote-User": "alice"]).status == 401)

        // Straight to the appliance (the peer is 127.0.0.1, not the proxy) the header is ignored, and logged.
        let direct = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: ["Remote-User": "alice"])
        #expect(direct.status == 401 && Self.errorMessage(direct).contains("sign in through the proxy"), "\(direct.body)")
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/auth/session", headers: ["Remote-User": "alice"]).status == 401)
        // X-Forwarded-For naming the proxy does not make a client the proxy.
        let spoofed = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations",
                                             headers: ["Remote-User": "alice", "X-Forwarded-For": NginxProxy.proxyAddress])
        #expect(spoofed.status == 401)
        try await eventually(timeout: 5, "the ignored header logged as a refusal") {
            app.logLines().contains { $0.contains("request refused by authentication") && $0.contains("proxy_header_untrusted_peer") }
        }

        // There is no password login here: the login page goes to the terminal, the login API says why not.
        let loginPage = try await proxy.send("GET", "/login", as: Self.credentials("alice"))
        #expect(loginPage.status == 303 && loginPage.headers["location"] == "/")
        let login = try await proxy.send("POST", "/api/auth/login", as: Self.credentials("alice"), json: #"{"password":"x"}"#,
                                         headers: ["Origin": proxy.origin])
        #expect(login.status == 409 && Self.errorMessage(login).contains("sign in through the proxy"), "\(login.body)")
    }

    @Test func theProxyHeaderIsAnAmbientCredentialSoChangesNeedTheAppliancesOriginWhileTokensWorkAnywhere() async throws {
        let (app, proxy) = try await Self.start()
        defer { proxy.stop(); Task { await app.stop() } }
        let body = #"{"title":"alice's plans"}"#
        let bare = try await proxy.send("POST", "/api/conversations", as: Self.credentials("alice"), json: body)
        #expect(bare.status == 403 && Self.errorCode(bare) == "origin_missing", "\(bare.body)")
        let crossSite = try await proxy.send("POST", "/api/conversations", as: Self.credentials("alice"), json: body,
                                             headers: ["Origin": "https://evil.example"])
        #expect(crossSite.status == 403 && Self.errorCode(crossSite) == "cross_site")
        let made = try await proxy.send("POST", "/api/conversations", as: Self.credentials("alice"), json: body, headers: ["Origin": proxy.origin])
        #expect(made.status == 201, "\(made.body)")
        // Each person sees their own conversations.
        #expect(try await proxy.send("GET", "/api/conversations", as: Self.credentials("alice")).body.contains("alice's plans"))
        let bobs = try await proxy.send("GET", "/api/conversations", as: Self.credentials("bob"))
        #expect(bobs.status == 200 && !bobs.body.contains("alice's plans"))

        // A token is a credential of its own: it works from any address, proxy mode or not.
        let created = try await app.cli(["token", "create", "--name", "alice's script", "--user", "alice"])
        #expect(created.code == 0, "\(created.stderr)")
        let bearer = ["Authorization": "Bearer " + created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)]
        let viaToken = try await RawHTTP.send("GET", port: app.webPort, path: "/api/auth/session", headers: bearer)
        #expect(Self.session(viaToken) == ("proxy", "token", "alice", "member"), "\(viaToken.body)")
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: bearer).body.contains("alice's plans"))
        let badToken = ["Authorization": "Bearer ntk_" + String(repeating: "x", count: 40), "Remote-User": "alice"]
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: badToken).status == 401)
    }

    @Test func unknownDisabledAndMalformedNamesAreRefusedWithASentence() async throws {
        let (app, proxy) = try await Self.start()
        defer { proxy.stop(); Task { await app.stop() } }
        let unknown = try await proxy.send("GET", "/api/conversations", as: Self.credentials("carol"))
        #expect(unknown.status == 403 && Self.errorCode(unknown) == "account_unknown", "\(unknown.body)")
        #expect(Self.errorMessage(unknown).contains("neural-terminal user add carol --no-password"))
        #expect(try await app.cli(["user", "add", "carol", "--no-password"]).code == 0)
        #expect(try await proxy.send("GET", "/api/conversations", as: Self.credentials("carol")).status == 200)

        #expect(try await app.cli(["user", "disable", "carol"]).code == 0)
        let disabled = try await proxy.send("GET", "/api/conversations", as: Self.credentials("carol"))
        #expect(disabled.status == 403 && Self.errorCode(disabled) == "account_disabled", "\(disabled.body)")

        // The identity provider calls eve "eve smith", which is no account name.
        let malformed = try await proxy.send("GET", "/api/conversations", as: Self.credentials("eve"))
        #expect(malformed.status == 401 && Self.errorCode(malformed) == "invalid_user_name", "\(malformed.body)")
        #expect(Self.errorMessage(malformed).contains("'eve smith'"))
        let listed = try await app.cli(["user", "list", "--json"])
        #expect(!listed.stdout.contains("eve") && !listed.stdout.contains("dave"), "nothing was made on the way: \(listed.stdout)")
        for reason in ["proxy_user_unknown", "account_disabled", "proxy_user_invalid"] {
            #expect(app.logLines().contains { $0.contains("request refused by authentication") && $0.contains(reason) }, "\(reason) logged")
        }
    }

    @Test func withProxyCreateAccountsANewNameBecomesOneMemberEvenWhenItsFirstRequestsRace() async throws {
        let (app, proxy) = try await Self.start(createAccounts: false)
        defer { proxy.stop(); Task { await app.stop() } }
        #expect(try await proxy.send("GET", "/api/conversations", as: Self.credentials("dave")).status == 403)

        try app.writeConfig(Self.config(createAccounts: true))
        app.signal(SIGHUP)
        // frank is the first to come once the web worker has the new configuration.
        try await eventually(timeout: 10, "proxy_create_accounts applied") {
            try await proxy.send("GET", "/api/auth/session", as: Self.credentials("frank")).status == 200
        }
        // dave's browser opens the page: several first requests at once.
        let answers = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<6 {
                group.addTask { try await proxy.send("GET", "/api/auth/session", as: Self.credentials("dave")).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(answers == Array(repeating: 200, count: 6), "every first request gets in")
        let listed = try await app.cli(["user", "list", "--json"])
        let accounts = listed.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let daves = accounts.filter { ($0["name"] as? String) == "dave" }
        #expect(daves.count == 1, "\(listed.stdout)")
        #expect(daves.first?["role"] as? String == "member" && daves.first?["has_password"] as? Bool == false)
        #expect(Self.session(try await proxy.send("GET", "/api/auth/session", as: Self.credentials("dave"))).role == "member")
    }

    @Test func proxyModeWithoutTrustedProxiesIsRefusedByCheckConfigRunAndSighup() async throws {
        let (app, proxy) = try await Self.start()
        defer { proxy.stop(); Task { await app.stop() } }
        try app.writeConfig("auth.mode = \"proxy\"\n")
        let checked = try await app.cli(["check-config"])
        #expect(checked.code != 0 && checked.stderr.contains("'server.trusted_proxies'"), "\(checked.stderr)")
        let run = try await Appliance.run(Appliance.binary, ["run", "--config", app.configPath])
        #expect(run.code != 0 && run.stderr.contains("'server.trusted_proxies'"), "\(run.stderr)")
        app.signal(SIGHUP)
        try await eventually(timeout: 5, "the reload refused") {
            app.logLines().contains { $0.contains("config reload refused") && $0.contains("server.trusted_proxies") }
        }
        #expect(Self.session(try await proxy.send("GET", "/api/auth/session", as: Self.credentials("alice"))).name == "alice",
                "the running configuration stays")
    }
}
