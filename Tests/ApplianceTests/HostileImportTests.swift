import Foundation
import NTFiles
import Testing

/// Hostile imports against the real appliance (ADR 0006): a forged record deletes nothing, bad timestamps and
/// fields over the API's limits are refused with their line, and a huge message or a zstd bomb is refused while
/// it is read, with the web worker's memory bounded.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct HostileImportTests {
    static func post(_ app: Appliance, _ body: String) async throws -> RawHTTP.Answer {
        try await RawHTTP.send("POST", port: app.webPort, path: "/api/import", json: body, timeout: 60)
    }

    static func error(_ answer: RawHTTP.Answer) -> (code: String, message: String) {
        let error = answer.object?["error"] as? [String: Any]
        return (error?["code"] as? String ?? "", error?["message"] as? String ?? "")
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    static func json(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// POSTs a large body to /api/import a MiB at a time and stops sending once the answer arrives, as an HTTP
    /// client does (the server answers a refusal without reading the rest of the body).
    static func postStopping(_ app: Appliance, _ body: [UInt8]) async throws -> RawHTTP.Answer {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                    defer { close(fd) }
                    var addr = sockaddr_in()
                    addr.sin_family = sa_family_t(AF_INET)
                    addr.sin_port = in_port_t(UInt16(app.webPort).bigEndian)
                    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
                    let connected = withUnsafePointer(to: &addr) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                    }
                    guard connected == 0 else { throw RawHTTP.Failure(description: "connect failed") }
                    let head = "POST /api/import HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n"
                        + "Content-Length: \(body.count)\r\n\r\n"
                    _ = Array(head.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    var offset = 0
                    while offset < body.count {
                        // Wait until the socket takes more or the answer is there; never block in send.
                        var ready = pollfd(fd: fd, events: Int16(POLLIN | POLLOUT), revents: 0)
                        guard poll(&ready, 1, 10_000) > 0, ready.revents & Int16(POLLIN) == 0 else { break }
                        let end = min(body.count, offset + (1 << 20))
                        let sent = body[offset..<end].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                        if sent < 0 && errno == EAGAIN { continue }
                        if sent <= 0 { break }
                        offset += sent
                    }
                    var received: [UInt8] = []
                    var buffer = [UInt8](repeating: 0, count: 65536)
                    var tv = timeval(tv_sec: 5, tv_usec: 0)
                    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                    while true {
                        let n = read(fd, &buffer, buffer.count)
                        if n <= 0 { break }
                        received.append(contentsOf: buffer[0..<n])
                        // The whole answer is in once its Content-Length bytes follow the head.
                        let text = String(decoding: received, as: UTF8.self)
                        if let split = text.range(of: "\r\n\r\n"),
                           let length = text[..<split.lowerBound].split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") })
                               .flatMap({ Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }),
                           text[split.upperBound...].utf8.count >= length { break }
                    }
                    print("sent \(offset >> 20) MiB of \(body.count >> 20) MiB before the answer")
                    let text = String(decoding: received, as: UTF8.self)
                    let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
                    let payload = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
                    return RawHTTP.Answer(status: status, headers: [:], body: payload)
                })
            }
        }
    }

    /// The web worker's peak resident memory (VmHWM), in MB.
    static func webPeakMB(_ app: Appliance) async throws -> Int {
        let pid = try #require(try await app.status().workers.first { $0.role == "web" }?.pid)
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }

    @Test func aForgedExportWithoutMessagesDeletesNothing() async throws {
        let fake = try FakeUpstream()
        defer { fake.stop() }
        let app = try await ChatTests.start(fake)
        defer { Task { await app.stop() } }
        let first = try await ChatTests.chat(app, "a zebra question")
        let id = try #require(first.json("meta").first?["conversation_id"] as? String)
        _ = try await ChatTests.chat(app, "and another", conversation: id)
        let genuine = try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations/\(id)/export?format=json")
        #expect(genuine.status == 200)
        let before = try await ChatTests.storedMessages(app, id)
        #expect(before.count == 4)

        var forged = try #require(try JSONSerialization.jsonObject(with: Data(genuine.body.utf8)) as? [String: Any])
        var conversation = try #require(forged["conversation"] as? [String: Any])
        conversation["title"] = "pwned"
        conversation["updated_at"] = "9999-12-31T23:59:59.999Z"
        // A file without messages names no current leaf (one it does not hold is refused as malformed).
        conversation["current_leaf_id"] = NSNull()
        forged["conversation"] = conversation
        forged["messages"] = [Any]()
        let refused = try await Self.post(app, try Self.json(forged))
        #expect(refused.status == 400, "\(refused.body)")
        #expect(Self.error(refused).message.hasPrefix("line 1: conversation.updated_at: 9999-12-31T23:59:59.999Z is in the future"),
                "\(refused.body)")
        #expect(try await ChatTests.storedMessages(app, id).count == 4)

        // Dated now, it may rename the conversation; every message stays.
        conversation["updated_at"] = Self.now()
        forged["conversation"] = conversation
        let renamed = try await Self.post(app, try Self.json(forged))
        #expect(renamed.status == 200, "\(renamed.body)")
        #expect(renamed.object?["conversations_updated"] as? Int == 1 && renamed.object?["messages_added"] as? Int == 0)
        let after = try await ChatTests.storedMessages(app, id)
        #expect(after.compactMap { $0["id"] as? String } == before.compactMap { $0["id"] as? String })
        #expect(after.compactMap { $0["content"] as? String } == before.compactMap { $0["content"] as? String })

        let again = try await Self.post(app, genuine.body)
        #expect(again.status == 200 && again.object?["conversations_unchanged"] as? Int == 1, "\(again.body)")
        #expect(try await ChatTests.storedMessages(app, id).count == 4)
    }

    static let conversationID = "66666666-2222-4333-8444-555555555555"

    static func record(updated: String = "2026-01-01T00:00:00.000Z", content: String = "hi") -> String {
        #"{"conversation":{"id":"\#(conversationID)","title":"t","created_at":"2026-01-01T00:00:00.000Z","updated_at":"\#(updated)"},"messages":[{"id":"66666666-2222-4333-8444-666666666666","role":"user","content":"\#(content)","status":"complete","created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z"}]}"#
    }

    static let header = #"{"exported_at":"2026-11-30T05:00:00.000Z","format":"neural-terminal-export","version":1}"#

    @Test func badTimestampsFieldsOverTheLimitsAndHugeInputAreRefusedWithTheirLine() async throws {
        let app = try Appliance()
        defer { Task { await app.stop() } }
        try await app.waitUntilReady()

        for (value, expected) in [("2026-13-45T99:99:99.999Z", "is not a real date and time"), ("2026-01-01T05:00:00.000+05:00", "has a UTC offset")] {
            let answer = try await Self.post(app, Self.header + "\n" + Self.record(updated: value) + "\n")
            #expect(answer.status == 400 && Self.error(answer).code == "invalid_import", "\(answer.body)")
            #expect(Self.error(answer).message.hasPrefix("line 2: conversation.updated_at: \"\(value)\" \(expected)"), "\(answer.body)")
        }
        let long = try await Self.post(app, Self.header + "\n" + Self.record(content: String(repeating: "x", count: 200_001)) + "\n")
        #expect(long.status == 400, "\(long.body.prefix(300))")
        #expect(Self.error(long).message == "line 2: messages[0].content: longer than 200000 characters (limits.message_max_chars)")

        // 60 MiB in one message: refused as soon as the text passes what any field may hold.
        let around = Self.record(content: "HUGE").components(separatedBy: "HUGE")
        var body = Array((Self.header + "\n" + around[0]).utf8)
        body.append(contentsOf: [UInt8](repeating: UInt8(ascii: "x"), count: 60 << 20))
        body.append(contentsOf: Array((around[1] + "\n").utf8))
        let huge = try await Self.postStopping(app, body)
        #expect(huge.status == 413 && Self.error(huge).code == "too_large", "\(huge.body.prefix(300))")
        #expect(Self.error(huge).message.hasPrefix("line 2: a text in this record is longer than 1600000 bytes"), "\(huge.body.prefix(300))")

        // A zstd bomb: 30 KB that inflate to 512 MiB of one title. Decompressed as it is read, refused likewise.
        var bomb: [UInt8] = []
        let encoder = try ZstdEncoder(level: 3) { bomb.append(contentsOf: $0) }
        try encoder.write(Array((Self.header + "\n" + #"{"conversation":{"id":"\#(Self.conversationID)","title":""#).utf8))
        let filler = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        for _ in 0..<512 { try encoder.write(filler) }
        try encoder.finish()
        #expect(bomb.count < 1 << 20)
        let inflated = try await RawHTTP.send("POST", port: app.webPort, path: "/api/import", body: bomb, contentType: "application/zstd")
        #expect(inflated.status == 413, "\(inflated.body.prefix(300))")
        #expect(Self.error(inflated).message.hasPrefix("line 2: a text in this record is longer than"), "\(inflated.body.prefix(300))")

        #expect(try await RawHTTP.send("GET", port: app.webPort, path: "/api/conversations/\(Self.conversationID)").status == 404)
        let peak = try await Self.webPeakMB(app)
        print("web worker peak RSS after the hostile imports: \(peak) MB")
        #expect(peak < 200, "the web worker held \(peak) MB at its peak")
        #expect(app.logLines().filter { $0.contains(#""level":"error""#) }.isEmpty)
    }
}
