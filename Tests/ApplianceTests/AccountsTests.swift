import Foundation
import Testing

/// Several people on one appliance, end to end: accounts made with `neural-terminal user`, each logging in with
/// a name and a password, and what disabling one does to its sessions and tokens.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct AccountsTests {
    static let alicePassword = "alice's long passphrase"

    static func login(_ app: Appliance, name: String?, password: String) async throws -> RawHTTP.Answer {
        var body: [String: String] = ["password": password]
        if let name { body["name"] = name }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let send = { try await RawHTTP.send("POST", port: app.webPort, path: "/api/auth/login", json: json) }
        let answer = try await send()
        // The throttle's growing delay after a failed attempt, honoured once as a person would.
        guard answer.status == 429, let wait = answer.headers["retry-after"].flatMap(Int.init), wait <= 5 else { return answer }
        try await Task.sleep(for: .seconds(wait))
        return try await send()
    }

    static func cookie(of answer: RawHTTP.Answer) -> String {
        String((answer.headers["set-cookie"] ?? "").prefix { $0 != ";" })
    }

    @Test func aSecondPersonLogsInByNameAndTheOwnerStillNeedsNoName() async throws {
        let app = try await AuthTests.start()
        defer { Task { await app.stop() } }
        let added = try await app.cli(["user", "add", "alice", "--stdin"], stdin: Self.alicePassword + "\n")
        #expect(added.code == 0, "\(added.stderr)")
        let listed = try await app.cli(["user", "list", "--json"])
        #expect(listed.stdout.contains(#""name":"alice""#) && listed.stdout.contains(#""role":"member""#) && !listed.stdout.contains("$2b$"))

        let alice = try await Self.login(app, name: "Alice", password: Self.alicePassword)
        #expect(alice.status == 200, "names are matched regardless of case: \(alice.body)")
        let who = try await RawHTTP.send("GET", port: app.webPort, path: "/api/auth/session", headers: ["Cookie": Self.cookie(of: alice)])
        #expect((who.object?["user"] as? [String: Any])?["name"] as? String == "alice")
        #expect((who.object?["user"] as? [String: Any])?["role"] as? String == "member")

        let owner = try await Self.login(app, name: nil, password: AuthTests.password)
        #expect(owner.status == 200, "the owner logs in without a name, as before accounts")
        let ownerWho = try await RawHTTP.send("GET", port: app.webPort, path: "/api/auth/session", headers: ["Cookie": Self.cookie(of: owner)])
        #expect((ownerWho.object?["user"] as? [String: Any])?["role"] as? String == "admin")

        // Alice's password does not open the owner's account, and an unknown name fails the same way as a wrong password.
        let crossed = try await Self.login(app, name: nil, password: Self.alicePassword)
        #expect(crossed.status == 401)
        let unknown = try await Self.login(app, name: "mallory", password: Self.alicePassword)
        let wrong = try await Self.login(app, name: "alice", password: "wrong password!!")
        #expect(unknown.status == 401 && wrong.status == 401)
        #expect(unknown.object.flatMap { ($0["error"] as? [String: Any])?["message"] as? String } == wrong.object.flatMap { ($0["error"] as? [String: Any])?["message"] as? String })
    }

    @Test func disablingAnAccountEndsItsSessionAndItsTokensAtOnce() async throws {
        let app = try await AuthTests.start()
        defer { Task { await app.stop() } }
        #expect(try await app.cli(["user", "add", "alice", "--stdin"], stdin: Self.alicePassword + "\n").code == 0)
        let cookie = Self.cookie(of: try await Self.login(app, name: "alice", password: Self.alicePassword))
        let created = try await app.cli(["token", "create", "--name", "alice's notebook", "--user", "alice"])
        #expect(created.code == 0, "\(created.stderr)")
        let bearer = ["Authorization": "Bearer " + created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)]
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: ["Cookie": cookie]).status == 200)
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: bearer).status == 200)

        let disabled = try await app.cli(["user", "disable", "alice"])
        #expect(disabled.code == 0 && disabled.stderr.contains("1 browser session ended"), "\(disabled.stderr)")
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: ["Cookie": cookie]).status == 401)
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: bearer).status == 401)
        #expect(try await Self.login(app, name: "alice", password: Self.alicePassword).status == 401)

        #expect(try await app.cli(["user", "enable", "alice"]).code == 0)
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: bearer).status == 200)
        #expect(try await Self.login(app, name: "alice", password: Self.alicePassword).status == 200)
    }

    @Test func theOwnerCannotBeDisabledOrDemotedFromTheCommandLine() async throws {
        let app = try await AuthTests.start()
        defer { Task { await app.stop() } }
        let disable = try await app.cli(["user", "disable", "admin"])
        #expect(disable.code == 65 && disable.stderr.contains("cannot be disabled"), "\(disable.stderr)")
        let demote = try await app.cli(["user", "role", "admin", "member"])
        #expect(demote.code == 65 && demote.stderr.contains("stays an admin"), "\(demote.stderr)")
        let duplicate = try await app.cli(["user", "add", "ADMIN", "--stdin"], stdin: Self.alicePassword + "\n")
        #expect(duplicate.code == 65 && duplicate.stderr.contains("exists already"), "\(duplicate.stderr)")
    }

    @Test func anAdminManagesAccountsFromTheBrowserAndAMemberCannot() async throws {
        let app = try await AuthTests.start()
        defer { Task { await app.stop() } }
        let admin = Self.cookie(of: try await Self.login(app, name: nil, password: AuthTests.password))
        let send = { (method: String, path: String, json: String?, cookie: String) in
            try await RawHTTP.send(method, port: app.webPort, path: path, json: json, headers: ["Cookie": cookie, "Origin": AuthTests.origin(app)])
        }
        let made = try await send("POST", "/api/admin/users", #"{"name":"alice","password":"\#(Self.alicePassword)"}"#, admin)
        #expect(made.status == 201 && made.object?["role"] as? String == "member" && made.object?["has_password"] as? Bool == true, "\(made.body)")
        #expect(!made.body.contains("$2b$"), "no hash leaves the appliance")
        #expect(try await send("POST", "/api/admin/users", #"{"name":"ALICE","password":"\#(Self.alicePassword)"}"#, admin).status == 409)
        #expect(try await send("POST", "/api/admin/users", #"{"name":"bob","password":"short"}"#, admin).status == 400)

        let alice = Self.cookie(of: try await Self.login(app, name: "alice", password: Self.alicePassword))
        for (method, path, json) in [("GET", "/api/admin/users", nil), ("POST", "/api/admin/users", #"{"name":"eve"}"#),
                                     ("PATCH", "/api/admin/users/alice", #"{"role":"admin"}"#)] as [(String, String, String?)] {
            let refused = try await send(method, path, json, alice)
            #expect(refused.status == 403 && refused.body.contains("admin_only"), "\(method) \(path) as a member: \(refused.status)")
        }

        let budgets = try await send("PATCH", "/api/admin/users/alice", #"{"daily_budget_usd":0.5,"monthly_budget_usd":null}"#, admin)
        #expect(budgets.status == 200 && budgets.object?["daily_budget_usd"] as? Double == 0.5, "\(budgets.body)")
        let protected = try await send("PATCH", "/api/admin/users/admin", #"{"disabled":true}"#, admin)
        #expect(protected.status == 409 && protected.body.contains("account_protected"))
        #expect(try await send("PATCH", "/api/admin/users/nobody", #"{"disabled":true}"#, admin).status == 404)

        let disabled = try await send("PATCH", "/api/admin/users/alice", #"{"disabled":true}"#, admin)
        #expect(disabled.status == 200 && disabled.object?["disabled_at"] as? String != nil)
        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: ["Cookie": alice]).status == 401,
                "a disabled account's session ends at once")
        let listed = try await send("GET", "/api/admin/users", nil, admin)
        #expect(((listed.object?["users"] as? [[String: Any]]) ?? []).map { $0["name"] as? String } == ["admin", "alice"])
    }

    @Test func theCommandLineExportsAndImportsOnePersonsConversations() async throws {
        let app = try await AuthTests.start()
        defer { Task { await app.stop() } }
        #expect(try await app.cli(["user", "add", "alice", "--stdin"], stdin: Self.alicePassword + "\n").code == 0)
        let alice = Self.cookie(of: try await Self.login(app, name: "alice", password: Self.alicePassword))
        let owner = Self.cookie(of: try await Self.login(app, name: nil, password: AuthTests.password))
        for (cookie, title) in [(alice, "alice's plan"), (owner, "the owner's notes")] {
            let made = try await RawHTTP.send("POST", port: app.webPort, path: "/api/conversations", json: #"{"title":"\#(title)"}"#,
                                              headers: ["Cookie": cookie, "Origin": AuthTests.origin(app)])
            #expect(made.status == 201)
        }
        let hers = try await app.cli(["export", "--user", "alice"])
        #expect(hers.code == 0 && hers.stdout.contains("alice's plan") && !hers.stdout.contains("the owner's notes"), "\(hers.stderr)")
        let everyone = try await app.cli(["export"])
        #expect(everyone.stdout.contains("alice's plan") && everyone.stdout.contains("the owner's notes"))
        #expect(try await app.cli(["export", "--user", "nobody"]).code == 65)

        // The owner's export brought in for alice: her own copy, the owner's conversation untouched.
        let file = app.directory.path + "/owners.jsonl"
        try Data(try await app.cli(["export", "--user", "admin"]).stdout.utf8).write(to: URL(fileURLWithPath: file))
        let imported = try await app.cli(["import", "--user", "alice", file])
        #expect(imported.code == 0, "\(imported.stderr)")
        let list = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations", headers: ["Cookie": alice])
        let titles = ((list.object?["conversations"] as? [[String: Any]]) ?? []).compactMap { $0["title"] as? String }
        #expect(titles.sorted() == ["alice's plan", "the owner's notes (imported copy)"], "\(titles)")
    }
}
