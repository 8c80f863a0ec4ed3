import Foundation
import NTWorkerKit
import Testing

/// `log.format`: the supervisor chooses once, and all four processes write that format (readable lines on a
/// terminal, JSON elsewhere unless the config says otherwise).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct LogFormatTests {
    /// `<ts> <level> <worker>[<pid>] <message…>`, after any colour codes are removed.
    static var textLine: Regex<(Substring, Substring, Substring, Substring, Substring)> { /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trace|debug|info|notice|warning|error|critical) +(supervisor|web|metrics|maintenance)\[(\d+)\] +(.*)$/ }
    static var colourCode: Regex<Substring> { /\x{1B}\[[0-9;]*m/ }

    /// The role of every line, after checking that each is a text line; fails on any other line.
    func textRoles(_ lines: [String]) -> [(role: String, pid: String, rest: String)] {
        lines.compactMap { line in
            let plain = line.replacing(Self.colourCode, with: "")
            guard let match = plain.wholeMatch(of: Self.textLine) else {
                Issue.record("not a text log line: \(line.debugDescription)")
                return nil
            }
            #expect(!plain.contains("\u{1B}"), "an escape byte outside the colour codes: \(line.debugDescription)")
            return (String(match.2), String(match.3), String(match.4))
        }
    }

    @Test func logFormatTextMakesEveryProcessWriteTextAndAReloadOrRestartKeepsIt() async throws {
        let app = try Appliance(extraConfig: "log.format = \"text\"\n")
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        _ = try app.get("/api/version?note=two%20words")

        // The file now asks for JSON: a SIGHUP keeps the running format, and so does a worker started after it.
        try app.writeConfig("log.format = \"json\"\n")
        app.signal(SIGHUP)
        try await eventually(timeout: 10, "the reload logged") { app.logLines().contains { $0.contains("configuration reloaded") } }
        let before = try #require(try await app.status().worker(.maintenance)?.pid)
        kill(before, SIGKILL)
        try await eventually(timeout: 10, "a new maintenance worker ready") {
            let now = try await app.status().worker(.maintenance)
            return now?.ready == true && now?.pid != before
        }
        let after = try #require(try await app.status().worker(.maintenance)?.pid)
        try await eventually(timeout: 10, "the new worker's start logged, in any format") {
            app.logLines().contains { $0.contains("worker started") && $0.contains(String(after)) }
        }
        app.signal(SIGTERM)
        _ = await app.waitForExit(timeout: 8)

        let lines = app.logLines()
        let parsed = textRoles(lines)
        #expect(parsed.count == lines.count)
        for role in ["web", "metrics", "maintenance"] {
            #expect(parsed.contains { $0.role == role && $0.rest.hasPrefix("worker started") }, "no text line from \(role)")
        }
        #expect(parsed.contains { $0.role == "maintenance" && $0.pid == String(after) && $0.rest.hasPrefix("worker started") })
        #expect(parsed.contains { $0.role == "supervisor" && $0.rest.hasPrefix("worker spawned") })
        #expect(!lines.contains { $0.utf8.contains(0x1B) }, "no colour when stdout is not a terminal")
        let request = try #require(parsed.first { $0.role == "web" && $0.rest.hasPrefix("request ") })
        #expect(request.rest.contains(" request_id="))
        #expect(request.rest.contains(" status=200"))
    }

    @Test func onATerminalTheDefaultIsColouredTextFromAllFourProcesses() async throws {
        let app = try Appliance(environment: ["NO_COLOR": ""], terminal: true)
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()
        _ = try app.get("/api/version")
        try await eventually(timeout: 10, "the request logged, in any format") {
            app.logLines().contains { $0.contains("request") && $0.contains("/api/version") }
        }
        app.signal(SIGTERM)
        _ = await app.waitForExit(timeout: 8)

        let lines = app.logLines()
        #expect(!lines.isEmpty)
        let parsed = textRoles(lines)
        #expect(parsed.count == lines.count)
        #expect(Set(parsed.map(\.role)) == ["supervisor", "web", "metrics", "maintenance"])
        #expect(lines.contains { $0.contains(" request \u{1B}[2mrequest_id=\u{1B}[0m") }, "keys dimmed")
        for role in ["supervisor", "web", "metrics", "maintenance"] {
            #expect(lines.contains { $0.contains(" \u{1B}[32minfo\u{1B}[0m     \(role)[") }, "info coloured by \(role)")
        }
    }
}
