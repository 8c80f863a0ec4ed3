import Foundation
import NTFiles
import Testing

/// A canary API key never appears in any log line, response body, export, search result, metrics
/// scrape, database file or decompressed backup across a full end-to-end run, even when the upstream echoes it
/// back in any case, without its prefix, URL-encoded or in base64, in errors or split over streamed text; nor
/// does the metrics bearer token.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct CanaryTests {
    /// The distinctive middle of the canary: searched for on its own too, so a partly printed key is caught.
    static let middle = "c4a7a3e5b0d1f00d"
    static let canary = "sk-or-v1-" + "0a1b2c3d4e5f6071" + middle + "8293a4b5c6d7e8f9" + "13579bdf2468ace0"
    static let metricsToken = "canary-metrics-token-9e8d7c6b5a4f"
    /// Sixteen characters from the middle of the base64 of `Bearer <key>`, of the key alone and of a JSON body
    /// holding it (the key's random part at offsets 1, 0 and 2 modulo 3), in the standard and URL-safe alphabets:
    /// the forms `fake/http-401-echo-forms`, `fake/echo-key` and `fake/midstream-error-echo` send back.
    static let encodedPieces: [String] = ["Bearer \(canary)", canary, "{\"key\":\"\(canary)\"}"].flatMap { plain -> [String] in
        let characters = Array(Data(plain.utf8).base64EncodedString())
        let piece = String(characters[(characters.count / 2 - 8)..<(characters.count / 2 + 8)])
        return [piece, piece.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")]
    }

    /// Everything the run produced that a person or another program could read.
    final class Evidence: @unchecked Sendable {
        private(set) var items: [(what: String, text: String)] = []
        func add(_ what: String, _ text: String) { items.append((what, text)) }
        func add(_ what: String, _ answer: RawHTTP.Answer) {
            add(what, answer.headers.map { "\($0.key): \($0.value)" }.joined(separator: "\n") + "\n\n" + answer.body)
        }
    }

    @Test func theCanaryKeyAndMetricsTokenNeverLeakAcrossAFullRun() async throws {
        #expect(Self.canary.count == 73 && Self.canary.dropFirst(9).allSatisfy(\.isHexDigit))
        let fake = try FakeUpstream(arguments: ["--key-limit", "5"])
        defer { fake.stop() }
        let tokenFile = try SecretFiles.write(Self.metricsToken, name: "metrics_token")
        defer { SecretFiles.remove(tokenFile) }
        let app = try Appliance(
            extraConfig: ChatTests.upstreamConfig(fake, extra: "metrics.bearer_token_file = \"\(tokenFile)\"\n" + ChatTests.noBreakerNoRetry),
            environment: ["OPENROUTER_API_KEY": Self.canary]
        )
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        let evidence = Evidence()
        let web = app.webPort
        let auth = ["Authorization": "Bearer \(Self.metricsToken)"]

        // Chat turns: a new conversation, a follow-up, a reasoning model, a regenerate, and upstream failures and
        // answers that echo the key: the Authorization header and the key in an error body, the key's random part
        // as a "key id", every form (upper case, bare, URL-encoded, base64 at each alignment) in an error body, in
        // a mid-stream error, and in reasoning and content split over stream chunks.
        let first = try await ChatTests.chat(app, "Hello there", model: "fake/lorem")
        evidence.add("POST /api/chat", first)
        let conversation = try #require(first.json("meta").first?["conversation_id"] as? String)
        for (model, text) in [("fake/reasoning", "Think first"), ("fake/echo", "echo this"), ("fake/midstream-error", "fail midway"),
                              ("fake/http-401-echo", "echo my key"), ("fake/http-401", "refused"),
                              ("fake/http-401-key-id", "name my key"), ("fake/http-401-echo-forms", "encode my key"),
                              ("fake/midstream-error-echo", "fail with my key"), ("fake/echo-key", "repeat my key")] {
            let answer = try await RawHTTP.send("POST", port: web, path: "/api/conversations/\(conversation)/messages",
                                                json: #"{"content":"\#(text)","model":"\#(model)"}"#)
            evidence.add("POST messages \(model)", answer)
            if ["fake/http-401-echo", "fake/http-401-key-id", "fake/http-401-echo-forms", "fake/midstream-error-echo"].contains(model) {
                let error = try #require(answer.json("error").first?["message"] as? String)
                #expect(error.contains("[REDACTED:secret]"), "the echo of \(model) was not exercised: \(error)")
            }
            if model == "fake/echo-key" {
                let text = answer.json("delta").compactMap { $0["text"] as? String }.joined()
                let reasoning = answer.json("reasoning").compactMap { $0["text"] as? String }.joined()
                #expect(text.components(separatedBy: "[REDACTED:secret]").count == 7, "every form replaced: \(text)")
                #expect(reasoning.contains("[REDACTED:secret]"), "the reasoning echo was not exercised: \(reasoning)")
            }
        }
        evidence.add("regenerate", try await RawHTTP.send("POST", port: web, path: "/api/conversations/\(conversation)/regenerate", json: "{}"))
        // The fake did receive the canary, so its absence below means redaction, not a key that was never used.
        let sent = try fake.stats()["last_request"] as? [String: Any]
        #expect((sent?["headers"] as? [String: Any])?["Authorization"] as? String == "Bearer \(Self.canary)")

        // Every read-only API the UI and operators use.
        for path in ["/api/version", "/api/diagnostics", "/api/models", "/api/usage", "/api/conversations",
                     "/api/conversations/\(conversation)", "/api/search?q=echo", "/api/search?q=sent", "/api/export",
                     "/api/conversations/\(conversation)/export?format=json", "/api/conversations/\(conversation)/export?format=markdown",
                     "/nowhere?key=\(Self.canary)"] {
            evidence.add("GET \(path)", try await RawHTTP.send("GET", port: web, path: path))
        }
        // A search for the key's text: its answer repeats the query to the one who sent it, so only the logs of
        // this request are evidence (below).
        let search = try await RawHTTP.send("GET", port: web, path: "/api/search?q=\(Self.canary.dropFirst(9))")
        #expect(search.status == 200)
        _ = try await app.waitForKeyState("valid")
        for path in ["/health", "/ready"] { evidence.add("GET \(path)", try app.metrics(path).body) }
        let scrape = try app.get("/metrics", port: app.metricsPort, headers: auth)
        #expect(scrape.status == 200)
        evidence.add("GET /metrics", scrape.body)
        evidence.add("GET /metrics without token", try app.metrics("/metrics").body)

        // The operator commands, with the key in their environment as an operator's shell would have it.
        let environment = ["OPENROUTER_API_KEY": Self.canary]
        let exportFile = app.directory.appendingPathComponent("export.jsonl").path
        for arguments in [["check-config"], ["status"], ["status", "--json"], ["export", "--output", exportFile],
                          ["export", "--conversation", conversation, "--format", "markdown"], ["version"], ["backup"], ["backups"]] {
            let result = try await app.cli(arguments, environment: environment)
            evidence.add("neural-terminal \(arguments.joined(separator: " ")) (exit \(result.code))", result.stdout + "\n" + result.stderr)
        }
        evidence.add("export file", try String(contentsOfFile: exportFile, encoding: .utf8))
        app.signal(SIGHUP)
        try await eventually(timeout: 5, "the reload logged") { app.logLines().contains { $0.contains("configuration reloaded") } }

        app.signal(SIGTERM)
        #expect(await app.waitForExit(timeout: 15) == 0)
        evidence.add("every log line (stdout and stderr of every process)", app.logLines().joined(separator: "\n"))
        // The database and everything else in the data folder, byte for byte (WAL, backups, run files), and the
        // backups decompressed.
        let data = URL(fileURLWithPath: app.dataDirectory)
        let files = FileManager.default.enumerator(at: data, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        #expect(files.contains { $0.lastPathComponent == "neural-terminal.db" })
        var decompressed: [(name: String, redacted: Bool)] = []
        for file in files where (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            let bytes = (try? Data(contentsOf: file)) ?? Data()
            evidence.add("file \(file.path)", String(decoding: bytes, as: UTF8.self))
            guard file.pathExtension == "zst" else { continue }
            let plain = app.directory.appendingPathComponent("decompressed-\(decompressed.count)").path
            _ = try Zstd.decompress(input: file.path, output: plain)
            let text = try String(decoding: Data(contentsOf: URL(fileURLWithPath: plain)), as: UTF8.self)
            evidence.add("decompressed \(file.path)", text)
            decompressed.append((file.lastPathComponent, text.contains("[REDACTED:secret]")))
        }
        #expect(decompressed.contains { $0.redacted }, "a backup taken after the chats was decompressed: \(decompressed)")

        #expect(evidence.items.count > 30)
        #expect(evidence.items.contains { $0.text.contains("[REDACTED:secret]") }, "the redaction path ran")
        for (what, raw) in evidence.items {
            let text = raw.replacingOccurrences(of: "\\/", with: "/")  // as JSON may escape it
            let lowercased = text.lowercased()
            #expect(!lowercased.contains(Self.canary), "the canary key in \(what)")
            #expect(!lowercased.contains(Self.middle), "the canary's middle (any case) in \(what)")
            #expect(!text.contains(Self.metricsToken) && !text.contains("9e8d7c6b5a4f"), "the metrics token in \(what)")
            for piece in Self.encodedPieces { #expect(!text.contains(piece), "the canary in base64 (\(piece)) in \(what)") }
        }
    }
}
