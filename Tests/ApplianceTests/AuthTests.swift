import Foundation
import Testing

/// Who gets in, end to end: the real binary in `auth.mode = "password"` (and `"none"`), its login, sessions,
/// tokens, CSRF and Host checks, driven over loopback the way a browser or a script would.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct AuthTests {
    static let password = "correct horse battery staple"

    /// An appliance requiring a password, with the password set through `neural-terminal passwd`.
    static func start(extra: String = "") async throws -> Appliance {
        let app = try Appliance(extraConfig: "auth.mode = \"password\"\n" + extra)
        try await app.waitUntilReady()
        let set = try await app.cli(["passwd", "--stdin"], stdin: password + "\n")
        #expect(set.code == 0, "\(set.stderr)")
        return app
    }

    /// POSTs a login; a 429 right after a failed attempt (the throttle's growing delay) is honoured once, as the
    /// login page's user would: wait `Retry-After`, try again.
    static func attempt(_ app: Appliance, password: String) async throws -> RawHTTP.Answer {
        let send = { try await RawHTTP.send("POST", port: app.webPort, path: "/api/auth/login", json: #"{"password":"\#(password)"}"#) }
        let answer = try await send()
        guard answer.status == 429, let wait = answer.headers["retry-after"].flatMap(Int.init), wait <= 5 else { return answer }
        try await Task.sleep(for: .seconds(wait))
        return try await send()
    }

    /// Logs in and returns the session cookie (`name=value`).
    static func login(_ app: Appliance, password: String = AuthTests.password) async throws -> String {
        let answer = try await attempt(app, password: password)
        #expect(answer.status == 200, "\(answer.body)")
        let cookie = answer.headers["set-cookie"] ?? ""
        return String(cookie.prefix { $0 != ";" })
    }

    static func origin(_ app: Appliance) -> String { "http://127.0.0.1:\(app.webPort)" }

    @Test func everyRouteRefusesAnUnauthenticatedRequestExceptTheLoginPageAndWhatItNeeds() async throws {
        let app = try await Self.start()
        defer { Task { await app.stop() } }
        let publicOperations: Set<String> = ["POST /api/auth/login", "POST /api/auth/logout", "GET /api/auth/session"]
        let operations = try RouteCatalog.apiOperations()
        #expect(operations.count > 15, "the OpenAPI document lists the router's routes")
        for operation in operations {
            let parts = operation.split(separator: " ")
            let path = String(parts[1]).replacingOccurrences(of: "{id}", with: "00000000-0000-4000-8000-000000000000")
            let answer = try await RawHTTP.send(String(parts[0]), port: app.webPort, path: path, json: parts[0] == "GET" ? nil : "{}")
            if publicOperations.contains(operation) {
                #expect(answer.status != 401, "\(operation) is public")
            } else {
                #expect(answer.status == 401, "\(operation) answered \(answer.status) without a login")
                #expect(answer.object?["error"] != nil, "\(operation): a JSON error body")
            }
        }
        for asset in try RouteCatalog.assetNames() {
            let answer = try await RawHTTP.send("GET", port: app.webPort, path: "/assets/\(asset)")
            #expect(answer.status == (["login.js", "app.css", "favicon.svg"].contains(asset) ? 200 : 401), "/assets/\(asset)")
        }
        let root = try await RawHTTP.send("GET", port: app.webPort, path: "/")
        #expect(root.status == 303 && root.headers["location"] == "/login")
        let login = try await RawHTTP.send("GET", port: app.webPort, path: "/login")
        #expect(login.status == 200 && login.body.contains("AUTHENTICATION REQUIRED"))
        // Unknown paths do not reveal whether they exist.
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/nope").status == 401)
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/assets/../Package.swift").status != 200)
        // /health and /ready stay open for probes, on their own listener.
        #expect(try app.metrics("/health").status == 200)
        #expect(try app.metrics("/ready").status == 200)
    }

    @Test func aLoginOpensAnHttpOnlyStrictSessionThatLogoutEnds() async throws {
        let app = try await Self.start()
        defer { Task { await app.stop() } }
        let wrong = try await RawHTTP.send("POST", port: app.webPort, path: "/api/auth/login", json: #"{"password":"not the password"}"#)
        #expect(wrong.status == 401 && wrong.headers["set-cookie"] == nil)
        let answer = try await Self.attempt(app, password: Self.password)
        let setCookie = answer.headers["set-cookie"] ?? ""
        #expect(setCookie.hasPrefix("nt_session="))
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/"))
        #expect(!setCookie.contains("Secure"), "public_url is not https")
        #expect(answer.headers["strict-transport-security"] == nil, "no HSTS over plain http")
        let cookie = String(setCookie.prefix { $0 != ";" })

        let listed = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: ["Cookie": cookie])
        #expect(listed.status == 200)
        let session = try await RawHTTP.send("GET", port: app.webPort, path: "/api/auth/session", headers: ["Cookie": cookie])
        #expect(session.object?["via"] as? String == "session")
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/", headers: ["Cookie": cookie]).status == 200)
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/login", headers: ["Cookie": cookie]).status == 303)

        let logout = try await RawHTTP.send("POST", port: app.webPort, path: "/api/auth/logout", headers: ["Cookie": cookie, "Origin": Self.origin(app)])
        #expect(logout.status == 204 && logout.headers["set-cookie"]?.contains("Max-Age=0") == true)
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: ["Cookie": cookie]).status == 401)
        // The log says who logged in and who failed, never with the password or the session secret.
        let log = app.logLines().joined(separator: "\n")
        #expect(log.contains("login failed: wrong name or password") && !log.contains("not the password") && !log.contains(Self.password))
        #expect(!log.contains(String(cookie.dropFirst("nt_session=".count))))
    }

    @Test func stateChangingRequestsWithACookieMustComeFromTheAppliancesOwnPages() async throws {
        let app = try await Self.start()
        defer { Task { await app.stop() } }
        let cookie = try await Self.login(app)
        let post = { (headers: [String: String]) in
            try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: "{}", headers: headers.merging(["Cookie": cookie]) { $1 })
        }
        #expect(try await post([:]).status == 403, "no Origin or Referer")
        let crossSite = try await post(["Origin": "http://evil.example"])
        #expect(crossSite.status == 403 && crossSite.object.flatMap { ($0["error"] as? [String: Any])?["code"] as? String } == "cross_site")
        #expect(try await post(["Origin": "null"]).status == 403)
        #expect(try await post(["Referer": "http://evil.example/page"]).status == 403)
        #expect(try await post(["Origin": Self.origin(app)]).status == 201)
        #expect(try await post(["Referer": Self.origin(app) + "/#/c/x"]).status == 201)
        // Reads need no Origin.
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: ["Cookie": cookie]).status == 200)
        let refusals = app.logObjects().filter { $0["msg"] as? String == "request refused by authentication" }
        #expect(refusals.contains { $0["reason"] as? String == "cross_site" && $0["origin"] as? String == "http://evil.example" })
        #expect(refusals.contains { $0["reason"] as? String == "origin_missing" })
    }

    @Test func anAPITokenWorksWithoutOriginAndStopsWorkingWhenRevoked() async throws {
        let app = try await Self.start()
        defer { Task { await app.stop() } }
        let created = try await app.cli(["token", "create", "--name", "nightly export"])
        #expect(created.code == 0, "\(created.stderr)")
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("ntk_"))
        let bearer = ["Authorization": "Bearer \(token)"]
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: bearer).status == 200)
        #expect(try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: "{}", headers: bearer).status == 201)
        let listed = try await app.cli(["token", "list", "--json"])
        #expect(listed.stdout.contains("nightly export") && listed.stdout.contains("last_used_at") && !listed.stdout.contains(String(token.suffix(20))))
        let id = String(token.dropFirst(4).prefix { $0 != "_" })
        #expect(try await app.cli(["token", "revoke", id]).code == 0)
        let refused = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: bearer)
        #expect(refused.status == 401 && refused.headers["www-authenticate"]?.contains("invalid_token") == true)
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: ["Authorization": "Bearer ntk_nope_nope"]).status == 401)
        #expect(try await app.cli(["token", "revoke", id]).code == 1, "already revoked")
        #expect(!app.logLines().joined().contains(String(token.suffix(30))), "the token never reaches the log")
    }

    @Test func changingThePasswordEndsEverySession() async throws {
        let app = try await Self.start()
        defer { Task { await app.stop() } }
        let cookie = try await Self.login(app)
        let changed = try await app.cli(["passwd", "--stdin"], stdin: "a brand new password\n")
        #expect(changed.code == 0 && changed.stderr.contains("1 browser session ended"), "\(changed.stderr)")
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: ["Cookie": cookie]).status == 401)
        let old = try await Self.attempt(app, password: Self.password)
        #expect(old.status == 401)
        #expect(try await Self.login(app, password: "a brand new password").hasPrefix("nt_session="))
        let short = try await app.cli(["passwd", "--stdin"], stdin: "short\n")
        #expect(short.code != 0 && short.stderr.contains("at least"))
    }

    @Test func aHashInTheConfigWinsAndASighupWithANewHashEndsTheSessions() async throws {
        let first = try await Appliance.run(Appliance.binary, ["passwd", "--stdin", "--print-hash"], stdin: "first password here\n")
        let second = try await Appliance.run(Appliance.binary, ["passwd", "--stdin", "--print-hash"], stdin: "second password here\n")
        let firstHash = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let secondHash = second.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(firstHash.hasPrefix("$2b$12$") && secondHash.hasPrefix("$2b$12$") && firstHash != secondHash)
        let app = try Appliance(extraConfig: "auth.mode = \"password\"\nauth.password_hash = \"\(firstHash)\"\n")
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        let cookie = try await Self.login(app, password: "first password here")
        // passwd refuses to store a password the config would override.
        let refused = try await app.cli(["passwd", "--stdin"], stdin: "third password here\n")
        #expect(refused.code == 78 && refused.stderr.contains("auth.password_hash"))
        try app.writeConfig("auth.mode = \"password\"\nauth.password_hash = \"\(secondHash)\"\n")
        app.signal(SIGHUP)
        try await eventually(timeout: 10, "the old session ends with the new hash") {
            try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: ["Cookie": cookie]).status == 401
        }
        #expect(try await Self.login(app, password: "second password here").hasPrefix("nt_session="))
    }

    @Test func guessingIsSlowedDownThenLockedOutEvenForTheRightPassword() async throws {
        let app = try await Self.start(extra: "limits.login_max_failures = 3\nlimits.login_lockout_seconds = 600\n")
        defer { Task { await app.stop() } }
        let guess = { try await RawHTTP.send("POST", port: app.webPort, path: "/api/auth/login", json: #"{"password":"guess guess guess"}"#) }
        // Guess as fast as the appliance allows: each failure makes the next attempt wait longer (429 with
        // Retry-After, honoured here), and the third failure locks the address out.
        var failures = 0, waits: [String] = [], lockedOut = false
        for _ in 0..<12 where !lockedOut {
            let answer = try await guess()
            let code = (answer.object?["error"] as? [String: Any])?["code"] as? String
            switch (answer.status, code) {
            case (401, _): failures += 1
            case (429, "login_throttled"):
                waits.append(answer.headers["retry-after"] ?? "?")
                try await Task.sleep(for: .seconds(Int(answer.headers["retry-after"] ?? "1") ?? 1))
            case (429, "login_locked"): lockedOut = true
            default: Issue.record("unexpected answer \(answer.status): \(answer.body)")
            }
        }
        #expect(failures == 3 && lockedOut)
        #expect(waits == ["1", "2"], "the delay doubles after each failure")
        // Locked out: even the right password is not checked.
        let locked = try await RawHTTP.send("POST", port: app.webPort, path: "/api/auth/login", json: #"{"password":"\#(Self.password)"}"#)
        #expect(locked.status == 429, "\(locked.body)")
        #expect(Int(locked.headers["retry-after"] ?? "") ?? 0 > 500)
        #expect((locked.object?["error"] as? [String: Any])?["code"] as? String == "login_locked")
        let log = app.logLines().joined(separator: "\n")
        #expect(log.contains("login refused: locked out after repeated failures") && !log.contains("guess guess guess") && !log.contains(Self.password))
        // An API token still works for scripts: the lockout is about guessing the password.
        let token = try await app.cli(["token", "create", "--name", "during lockout"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: ["Authorization": "Bearer \(token)"]).status == 200)
    }

    @Test func behindATrustedProxyEachClientHasItsOwnLoginThrottle() async throws {
        let app = try await Self.start(extra: "server.trusted_proxies = \"127.0.0.1\"\nlimits.login_max_failures = 1\n")
        defer { Task { await app.stop() } }
        let attempt = { (client: String, password: String) in
            try await RawHTTP.send("POST", port: app.webPort, path: "/api/auth/login", json: #"{"password":"\#(password)"}"#,
                                   headers: ["X-Forwarded-For": client])
        }
        // One failure locks that client out …
        #expect(try await attempt("198.51.100.1", "a wrong guess here").status == 401)
        #expect(try await attempt("198.51.100.1", Self.password).status == 429)
        // … and only that client: the owner behind the same proxy still gets in.
        #expect(try await attempt("198.51.100.2", Self.password).status == 200)
        let failed = app.logObjects().first { ($0["msg"] as? String)?.hasPrefix("login failed") == true }
        #expect(failed?["client_ip"] as? String == "198.51.100.1")
    }

    @Test func anHTTPSPublicURLMakesTheCookieSecureAndHostBound() async throws {
        let app = try await Self.start(extra: "server.public_url = \"https://chat.example.com\"\n")
        defer { Task { await app.stop() } }
        let answer = try await RawHTTP.send("POST", port: app.webPort, path: "/api/auth/login", json: #"{"password":"\#(Self.password)"}"#)
        let setCookie = answer.headers["set-cookie"] ?? ""
        #expect(setCookie.hasPrefix("__Host-nt_session=") && setCookie.contains("Secure"), "\(setCookie)")
        #expect(answer.headers["strict-transport-security"] == "max-age=31536000")
        // Behind the proxy, the public URL's origin is this appliance's own.
        let cookie = String(setCookie.prefix { $0 != ";" })
        let post = try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: "{}",
                                          headers: ["Cookie": cookie, "Origin": "https://chat.example.com"])
        #expect(post.status == 201)
    }

    @Test func withoutAuthenticationOnlyLoopbackHostNamesAndSameSiteBrowsersGetIn() async throws {
        let app = try Appliance()
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        for host in ["evil.example", "evil.example:\(app.webPort)", "localhost.evil.example", "127.0.0.1.nip.io", "10.0.0.1"] {
            let answer = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: ["Host": host])
            #expect(answer.status == 421, "Host: \(host)")
        }
        for host in ["localhost:\(app.webPort)", "127.0.0.1:\(app.webPort)", "[::1]:\(app.webPort)", "LOCALHOST", "127.0.0.1"] {
            let answer = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: ["Host": host])
            #expect(answer.status == 200, "Host: \(host)")
        }
        #expect(try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: "{}", headers: ["Origin": "http://evil.example"]).status == 403)
        #expect(try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: "{}").status == 201, "curl sends no Origin")
        #expect(try await RawHTTP.send("POST", port: app.webPort, path: "/api/auth/login", json: #"{"password":"x"}"#).status == 409)
    }

    @Test func withoutAuthenticationARequestThroughAProxyOrFromAnotherSiteIsRefused() async throws {
        let app = try Appliance()
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        for header in ["X-Forwarded-For: 203.0.113.9", "Forwarded: for=203.0.113.9", "X-Real-IP: 203.0.113.9", "Via: 1.1 nginx"] {
            let parts = header.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let answer = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: [parts[0]: parts[1]])
            #expect(answer.status == 403 && answer.body.contains("proxied_request"), "\(header)")
        }
        // Fetch metadata: the browser says another site sent it, even without an Origin.
        #expect(try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: "{}", headers: ["Sec-Fetch-Site": "cross-site"]).status == 403)
        #expect(try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: "{}", headers: ["Sec-Fetch-Site": "same-origin"]).status == 201)
        // The metrics listener on loopback answers only loopback names too.
        #expect(try await RawHTTP.send("GET", port: app.metricsPort, path: "/metrics", headers: ["Host": "evil.example"]).status == 421)
        #expect(try await RawHTTP.send("GET", port: app.metricsPort, path: "/ready", headers: ["Host": "evil.example:80"]).status == 421)
        #expect(try await RawHTTP.send("GET", port: app.metricsPort, path: "/ready", headers: ["Host": "localhost:\(app.metricsPort)"]).status == 200)
    }

    @Test func aProxysOwnBasicAuthDoesNotLockTheBrowserOut() async throws {
        let app = try await Self.start(extra: "server.public_url = \"https://chat.example.com:443/\"\n")
        defer { Task { await app.stop() } }
        let basic = ["Authorization": "Basic dXNlcjpwYXNz"]
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/login", headers: basic).status == 200)
        let answer = try await RawHTTP.send("POST", port: app.webPort, path: "/api/auth/login", json: #"{"password":"\#(Self.password)"}"#,
                                            headers: basic.merging(["Origin": "https://chat.example.com"]) { $1 })
        #expect(answer.status == 200, "\(answer.body)")
        let cookie = String((answer.headers["set-cookie"] ?? "").prefix { $0 != ";" })
        // The public URL's default port is not part of the browser's Origin.
        let post = try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: "{}",
                                          headers: basic.merging(["Cookie": cookie, "Origin": "https://chat.example.com"]) { $1 })
        #expect(post.status == 201, "\(post.body)")
    }

    @Test func theApplianceRefusesToListenBeyondLoopbackWithoutAPassword() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-exposed-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("nt.toml").path
        try "server.listen = \"0.0.0.0:0\"\nstorage.data_dir = \"\(directory.path)/data\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let run = try await Appliance.run(Appliance.binary, ["run", "--config", config])
        #expect(run.code == 78)
        #expect(run.stderr.contains("reachable from other machines") && run.stderr.contains("neural-terminal passwd"), "\(run.stderr)")
        // Setting the password works exactly then.
        let passwd = try await Appliance.run(Appliance.binary, ["passwd", "--stdin", "--config", config], stdin: Self.password + "\n")
        #expect(passwd.code == 0, "\(passwd.stderr)")
    }
}

/// The routes a test must cover, read from the sources the router is checked against.
enum RouteCatalog {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `METHOD /path` of every operation in docs/openapi.yaml (WebWorkerTests keep it equal to the router's).
    static func apiOperations() throws -> [String] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        var operations: [String] = []
        var inPaths = false
        var currentPath: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") { inPaths = true; continue }
            if inPaths, let first = line.first, first != " " { break }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if let path = currentPath, line.hasPrefix("    "), !line.hasPrefix("     ") {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "patch", "delete"].contains(String(key)) { operations.append("\(key.uppercased()) \(path)") }
            }
        }
        return operations
    }

    /// Every file of the compiled UI.
    static func assetNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Sources/WebWorker/Assets/web").path).sorted()
    }
}
