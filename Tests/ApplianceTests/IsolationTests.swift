import Foundation
import Testing

/// Each person sees only their own conversations: the hidden-id sweep. Every route of docs/openapi.yaml that takes
/// a conversation id is called with another person's ids, by another member, by an admin, by a disabled account and
/// by an expired token; each gets 404 (or 401 when not let in at all) and the conversation stays as it was.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct IsolationTests {
    static let passwords = ["alice": "alice's long passphrase", "bob": "bob's long passphrase", "dave": "dave's long passphrase"]

    /// Someone who can send requests: a cookie (with the Origin a page sends) or a bearer token.
    struct Caller {
        let name: String
        let headers: [String: String]

        func send(_ app: Appliance, _ method: String, _ path: String, _ json: String? = nil) async throws -> RawHTTP.Answer {
            try await RawHTTP.send(method, port: app.webPort, path: path, json: json, headers: headers)
        }
    }

    static func session(_ app: Appliance, _ name: String?, _ password: String) async throws -> Caller {
        let answer = try await AccountsTests.login(app, name: name, password: password)
        #expect(answer.status == 200, "\(name ?? "owner") logs in: \(answer.body)")
        return Caller(name: name ?? "admin", headers: ["Cookie": AccountsTests.cookie(of: answer), "Origin": AuthTests.origin(app)])
    }

    /// What `path` of a route in the OpenAPI document becomes with the victim's ids, and the body that would be
    /// valid for the victim (so a refusal can only come from whose conversation it is).
    static func request(_ operation: String, conversation: String, message: String) -> (method: String, path: String, json: String?) {
        let parts = operation.split(separator: " ").map(String.init)
        let path = parts[1].replacingOccurrences(of: "{id}", with: conversation).replacingOccurrences(of: "{message_id}", with: message)
        let json: String? = switch operation {
        case "POST /api/conversations/{id}/messages": #"{"content":"written by someone else"}"#
        case "PATCH /api/conversations/{id}": #"{"title":"renamed by someone else"}"#
        case "PUT /api/conversations/{id}/leaf": #"{"message_id":"\#(message)"}"#
        case _ where parts[0] == "GET" || parts[0] == "DELETE": nil
        default: "{}"
        }
        return (parts[0], path, json)
    }

    @Test func everyRouteWithAConversationIdAnswers404ToEveryoneButItsOwnerAndChangesNothing() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let app = try Appliance(extraConfig: "auth.mode = \"password\"\n" + ChatTests.upstreamConfig(fake), environment: ["OPENROUTER_API_KEY": ChatTests.key])
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        #expect(try await app.cli(["passwd", "--stdin"], stdin: AuthTests.password + "\n").code == 0)
        for (name, password) in Self.passwords.sorted(by: { $0.key < $1.key }) {
            #expect(try await app.cli(["user", "add", name, "--stdin"], stdin: password + "\n").code == 0)
        }
        let bob = try await Self.session(app, "bob", Self.passwords["bob"]!)
        let alice = try await Self.session(app, "alice", Self.passwords["alice"]!)
        let admin = try await Self.session(app, nil, AuthTests.password)
        let dave = try await Self.session(app, "dave", Self.passwords["dave"]!)
        let token = try await app.cli(["token", "create", "--name", "alice script", "--user", "alice"])
        let aliceToken = Caller(name: "alice's token", headers: ["Authorization": "Bearer " + token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)])
        let short = try await app.cli(["token", "create", "--name", "short", "--user", "alice", "--expires-days", "0.00001"])
        let expired = Caller(name: "an expired token", headers: ["Authorization": "Bearer " + short.stdout.trimmingCharacters(in: .whitespacesAndNewlines)])

        // Bob's conversation, with a question and an answer, and a word nobody else wrote.
        let chat = try await bob.send(app, "POST", "/api/chat", #"{"message":"bob's zanzibarian secret"}"#)
        #expect(chat.status == 200)
        let conversation = try #require(chat.json("meta").first?["conversation_id"] as? String)
        let before = try await bob.send(app, "GET", "/api/conversations/\(conversation)?view=tree")
        let messages = (before.object?["messages"] as? [[String: Any]]) ?? []
        let message = try #require(messages.first?["id"] as? String)
        #expect(messages.count == 2)

        #expect(try await app.cli(["user", "disable", "dave"]).code == 0)
        try await Task.sleep(for: .seconds(1.5)) // the short token expires

        let operations = try RouteCatalog.apiOperations().filter { $0.contains("{id}") }
        #expect(operations.count >= 9, "the sweep covers every route with a conversation id: \(operations)")
        for caller in [alice, aliceToken, admin] {
            for operation in operations {
                let (method, path, json) = Self.request(operation, conversation: conversation, message: message)
                let answer = try await caller.send(app, method, path, json)
                #expect(answer.status == 404, "\(caller.name): \(operation) answered \(answer.status) \(answer.body.prefix(200))")
            }
            let viaChat = try await caller.send(app, "POST", "/api/chat", #"{"message":"hi","conversation_id":"\#(conversation)"}"#)
            #expect(viaChat.status == 404, "\(caller.name): /api/chat into bob's conversation answered \(viaChat.status)")
            let search = try await caller.send(app, "GET", "/api/search?q=zanzibarian")
            #expect(search.status == 200 && (search.object?["results"] as? [Any])?.isEmpty == true, "\(caller.name) finds nothing of bob's")
            let list = try await caller.send(app, "GET", "/api/conversations")
            #expect(list.object?["total"] as? Int == 0, "\(caller.name) lists none of bob's")
            let export = try await caller.send(app, "GET", "/api/export")
            #expect(export.status == 200 && !export.body.contains("zanzibarian"), "\(caller.name)'s export holds nothing of bob's")
        }
        for caller in [dave, expired] {
            for operation in operations {
                let (method, path, json) = Self.request(operation, conversation: conversation, message: message)
                let answer = try await caller.send(app, method, path, json)
                #expect(answer.status == 401, "\(caller.name): \(operation) answered \(answer.status)")
            }
        }

        let after = try await bob.send(app, "GET", "/api/conversations/\(conversation)?view=tree")
        #expect(after.status == 200)
        #expect(after.body == before.body, "bob's conversation is exactly as it was")
        let bobSearch = try await bob.send(app, "GET", "/api/search?q=zanzibarian")
        #expect((bobSearch.object?["results"] as? [Any])?.count == 1, "bob finds his own")
    }

    @Test func importingSomeoneElsesExportMakesAnOwnCopyAndLeavesTheirsAlone() async throws {
        let app = try Appliance(extraConfig: "auth.mode = \"password\"\n")
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        #expect(try await app.cli(["passwd", "--stdin"], stdin: AuthTests.password + "\n").code == 0)
        for name in ["alice", "bob"] {
            #expect(try await app.cli(["user", "add", name, "--stdin"], stdin: Self.passwords[name]! + "\n").code == 0)
        }
        let bob = try await Self.session(app, "bob", Self.passwords["bob"]!)
        let alice = try await Self.session(app, "alice", Self.passwords["alice"]!)
        let made = try await bob.send(app, "POST", "/api/conversations", #"{"title":"bob's notes"}"#)
        let id = try #require(made.object?["id"] as? String)
        let file = try await bob.send(app, "GET", "/api/conversations/\(id)/export?format=json")
        #expect(file.status == 200)
        let edited = file.body.replacingOccurrences(of: "bob's notes", with: "alice's version")

        let imported = try await RawHTTP.send("POST", port: app.webPort, path: "/api/import", body: Array(edited.utf8),
                                              contentType: "application/json", headers: alice.headers)
        #expect(imported.status == 200, "\(imported.body)")
        let aliceList = try await alice.send(app, "GET", "/api/conversations")
        let aliceItems = (aliceList.object?["conversations"] as? [[String: Any]]) ?? []
        #expect(aliceItems.count == 1 && aliceItems.first?["id"] as? String != id, "alice has her own copy, under another id")
        let bobsNow = try await bob.send(app, "GET", "/api/conversations/\(id)")
        #expect(bobsNow.object?["title"] as? String == "bob's notes")
    }

    @Test func usageCountsOnlyTheAskersAnswersAndAPersonalBudgetRefusesBeforeSpend() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let app = try Appliance(extraConfig: "auth.mode = \"password\"\n" + ChatTests.upstreamConfig(fake), environment: ["OPENROUTER_API_KEY": ChatTests.key])
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        #expect(try await app.cli(["passwd", "--stdin"], stdin: AuthTests.password + "\n").code == 0)
        for name in ["alice", "bob"] {
            #expect(try await app.cli(["user", "add", name, "--stdin"], stdin: Self.passwords[name]! + "\n").code == 0)
        }
        let bob = try await Self.session(app, "bob", Self.passwords["bob"]!)
        let alice = try await Self.session(app, "alice", Self.passwords["alice"]!)
        let admin = try await Self.session(app, nil, AuthTests.password)
        #expect(try await bob.send(app, "POST", "/api/chat", #"{"message":"what does this cost?"}"#).status == 200)

        let bobUsage = try await bob.send(app, "GET", "/api/usage")
        let bobToday = (bobUsage.object?["today"] as? [String: Any])?["spend_usd"] as? Double ?? 0
        #expect(bobUsage.object?["scope"] as? String == "person" && bobToday > 0, "\(bobUsage.body)")
        let aliceUsage = try await alice.send(app, "GET", "/api/usage")
        #expect((aliceUsage.object?["today"] as? [String: Any])?["spend_usd"] as? Double == 0, "alice's usage counts none of bob's answers")
        #expect((aliceUsage.object?["by_model"] as? [Any])?.isEmpty == true)
        #expect(try await alice.send(app, "GET", "/api/usage?scope=appliance").status == 403)
        let whole = try await admin.send(app, "GET", "/api/usage?scope=appliance")
        let byUser = (whole.object?["by_user"] as? [[String: Any]]) ?? []
        #expect(byUser.first?["user"] as? String == "bob" && (byUser.first?["today_usd"] as? Double ?? 0) > 0, "\(whole.body)")

        // A personal budget of zero: alice is refused before anything is sent or spent; bob goes on.
        let set = try await admin.send(app, "PATCH", "/api/admin/users/alice", #"{"daily_budget_usd":0}"#)
        #expect(set.status == 200)
        // Her open session sees it at once: the account is read on every request.
        let refused = try await alice.send(app, "POST", "/api/chat", #"{"message":"one more?"}"#)
        #expect(refused.status == 402 && refused.body.contains("your daily budget"), "\(refused.body)")
        #expect(try await bob.send(app, "POST", "/api/chat", #"{"message":"and another"}"#).status == 200)
    }
}
