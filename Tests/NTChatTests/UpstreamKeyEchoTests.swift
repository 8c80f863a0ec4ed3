import Foundation
import Logging
import NTChat
import NTLog
import NTOpenRouter
import NTStorage
import Testing

/// The chat engine removes the upstream key, in every form, from what the upstream sends before it is relayed or
/// stored: text and reasoning split over deltas, ids, finish reasons, errors before and during the stream.
@Suite(.timeLimit(.minutes(1)))
struct UpstreamKeyEchoTests {
    static let secret = "7f3a9c2e5b8d1f4a" + "6c0e3b7d9a2f5c8e" + "1b4d7a0c3f6e9b2d" + "5a8c1f4e7b0d3a6c"
    static let key = "sk-or-v1-" + secret
    static let redactor = Redactor(secrets: [key])

    func service(_ repository: any ChatRepository, _ steps: [ScriptedUpstream.Step]) -> ChatService {
        ChatService(repository: repository, upstream: ScriptedUpstream(steps), workerPID: getpid(), logger: Logger(label: "test"),
                    redactor: { Self.redactor }) {
            ChatSettings(defaultModel: "fake/lorem", flushInterval: .milliseconds(20))
        }
    }

    /// `text` in pieces of 1 to 7 bytes, as deltas.
    static func pieces(_ text: String, _ item: (String) -> StreamItem) -> [ScriptedUpstream.Step] {
        var steps: [ScriptedUpstream.Step] = []
        var rest = Substring(text)
        var size = 1
        while !rest.isEmpty {
            steps.append(.event(.item(item(String(rest.prefix(size))))))
            rest = rest.dropFirst(size)
            size = size % 7 + 1
        }
        return steps
    }

    static func shows(_ text: String) -> Bool {
        text.lowercased().contains(secret.prefix(16)) || text.lowercased().contains(secret.suffix(16))
            || text.contains(String(Data("Bearer \(key)".utf8).base64EncodedString().dropFirst(30).prefix(16)))
    }

    @Test(arguments: TempDatabase.engines) func aKeySplitOverDeltasReachesNeitherTheStreamNorTheStoredAnswer(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let base64 = Data("Bearer \(Self.key)".utf8).base64EncodedString()
        let content = "Key \(Self.key.uppercased()), bare \(Self.secret), encoded \(base64). Ends with 7f"
        let reasoning = "I saw \(Self.secret) in the header"
        let steps: [ScriptedUpstream.Step] =
            [.event(.opened(generationID: nil)), .event(.item(.started(id: "gen-\(Self.secret)", model: Self.key, provider: "p")))]
            + Self.pieces(reasoning, StreamItem.reasoning) + Self.pieces(content, StreamItem.content)
            + [.event(.item(.finished(reason: "stop", nativeReason: nil))), .event(.item(.done)), .event(.end(nil))]
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")

        let events = await collect(try await service(repository, steps).start(
            .init(conversationID: conversation.id, content: "q", requestID: "r"), logger: .init(label: "t")))

        let deltas = events.compactMap { if case .delta(let t) = $0 { t } else { nil } }
        let thoughts = events.compactMap { if case .reasoning(let t) = $0 { t } else { nil } }
        let expected = "Key SK-OR-V1-[REDACTED:secret], bare [REDACTED:secret], encoded QmVhcmVyIHNrLW9yLXYxL"
        #expect(deltas.joined().hasPrefix(expected), "\(deltas.joined())")
        #expect(deltas.joined().hasSuffix(". Ends with 7f"), "the held-back tail is sent when the stream ends")
        #expect(thoughts.joined() == "I saw [REDACTED:secret] in the header")
        for text in deltas + thoughts { #expect(!Self.shows(text), "\(text)") }
        let answer = try #require(try await repository.messages(conversationID: conversation.id).last)
        #expect(answer.content == deltas.joined())
        #expect(answer.reasoning == thoughts.joined())
        #expect(answer.generationID == "gen-[REDACTED:secret]")
        #expect(answer.status == .complete)
    }

    @Test(arguments: TempDatabase.engines, [false, true])
    func anErrorNamingTheKeyIsRedactedInTheEventAndTheStoredAnswer(_ engine: DatabaseEngine, midStream: Bool) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let message = "key id \(Self.secret) not found; was \(Self.key.uppercased())"
        let steps: [ScriptedUpstream.Step] = midStream
            ? [.event(.item(.content("partial "))),
               .event(.item(.upstreamError(StreamError(code: "502", message: message, metadata: #"{"k":"\#(Self.secret)"}"#)))),
               .event(.item(.finished(reason: "error", nativeReason: nil))), .event(.end(nil))]
            : [.event(.end(UpstreamFailure(code: "upstream_401", message: message, httpStatus: 401, retryable: false)))]
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")

        let events = await collect(try await service(repository, steps).start(
            .init(conversationID: conversation.id, content: "q", requestID: "r"), logger: .init(label: "t")))

        let redacted = "key id [REDACTED:secret] not found; was SK-OR-V1-[REDACTED:secret]"
        let code = midStream ? "upstream_502" : "upstream_401"
        #expect(events.contains(.error(code: code, message: redacted, retryable: midStream)))
        let answer = try #require(try await repository.messages(conversationID: conversation.id).last)
        #expect(answer.status == .error)
        #expect(answer.error == redacted)
    }
}
