import Foundation
import Logging
import NTChat
import NTOpenRouter
import NTStorage

/// A migrated database in a temporary folder, removed by `cleanup()`.
struct TempDatabase {
    let directory: URL
    let path: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-chat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("db.sqlite").path
        try Migrator(database: SQLiteDatabase(path: path)).migrate()
    }

    func cleanup() { try? FileManager.default.removeItem(at: directory) }
}

/// An in-process upstream that plays a script of events, optionally pausing, and records what it was asked.
final class ScriptedUpstream: ChatUpstream, @unchecked Sendable {
    enum Step: Sendable {
        case event(UpstreamEvent)
        case pause(Duration)
        /// Wait until the consumer goes away (a stall).
        case hang
    }

    let steps: [Step]
    private let lock = NSLock()
    private var _requests: [UpstreamChatRequest] = []
    private var _terminated = 0

    init(_ steps: [Step]) { self.steps = steps }

    var requests: [UpstreamChatRequest] { lock.withLock { _requests } }
    /// How many streams ended because the consumer stopped iterating (the transfer was aborted).
    var terminations: Int { lock.withLock { _terminated } }

    func stream(_ request: UpstreamChatRequest) -> AsyncStream<UpstreamEvent> {
        lock.withLock { _requests.append(request) }
        let steps = self.steps
        return AsyncStream { continuation in
            let task = Task {
                for step in steps {
                    switch step {
                    case .event(let event): continuation.yield(event)
                    case .pause(let duration): try? await Task.sleep(for: duration)
                    case .hang: while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
                    }
                    if Task.isCancelled { break }
                }
                continuation.finish()
            }
            continuation.onTermination = { [weak self] termination in
                task.cancel()
                if case .cancelled = termination { self?.lock.withLock { self?._terminated += 1 } }
            }
        }
    }

    func listModels() async throws -> [ModelInfo] { [] }

    static func answer(_ tokens: [String], usage: Usage? = nil) -> [Step] {
        var steps: [Step] = [.event(.opened(generationID: "gen-1")), .event(.item(.started(id: "gen-1", model: "m", provider: "p")))]
        steps += tokens.map { .event(.item(.content($0))) }
        steps.append(.event(.item(.finished(reason: "stop", nativeReason: "stop"))))
        if let usage { steps.append(.event(.item(.usage(usage)))) }
        steps += [.event(.item(.done)), .event(.end(nil))]
        return steps
    }
}

extension ChatService {
    static func make(_ repository: any ChatRepository, _ upstream: any ChatUpstream, flush: Duration = .milliseconds(20)) -> ChatService {
        ChatService(repository: repository, upstream: upstream, workerPID: getpid(), logger: Logger(label: "test")) {
            ChatSettings(defaultModel: "fake/lorem", flushInterval: flush)
        }
    }
}

/// Collects a turn's events.
func collect(_ stream: AsyncStream<ChatEvent>) async -> [ChatEvent] {
    var events: [ChatEvent] = []
    for await event in stream { events.append(event) }
    return events
}
