import Foundation
import Logging
import NTChat
import NTOpenRouter
import NTStorage
import NTSystem
import PostgresTestSupport
import Synchronization

/// A migrated database for one test, SQLite's (the default) or PostgreSQL's, removed by `cleanup()`. Suites that run
/// on both engines take `TestDatabase.engines` as arguments and reach the database only through ``repository()``
/// and ``connection()``; ``path`` and ``directory`` are SQLite's file and its folder.
struct TempDatabase {
    let database: TestDatabase
    var engine: DatabaseEngine { database.engine }
    var directory: URL { URL(fileURLWithPath: database.directory) }
    var path: String { database.path }

    init(_ engine: DatabaseEngine = .sqlite) throws {
        database = try TestDatabase(engine)
    }

    /// A repository on a connection of its own, as a worker opens it.
    func repository() throws -> SQLChatRepository {
        switch engine {
        case .sqlite: try SQLChatRepository(path: path)
        case .postgres: SQLChatRepository(connection: try database.connect())
        }
    }

    /// Another connection, for SQL the repository does not offer (as a second process or an operator's shell).
    func connection() throws -> any DatabaseConnection { try database.connect() }

    func cleanup() { database.remove() }
}

/// An in-process upstream that plays a script of events, optionally pausing, and records what it was asked.
final class ScriptedUpstream: ChatUpstream, @unchecked Sendable {
    enum Step: Sendable {
        case event(UpstreamEvent)
        case pause(Duration)
        /// Wait until the consumer goes away (a stall).
        case hang
    }

    /// One script per attempt; the last one repeats for further attempts.
    let scripts: [[Step]]
    private let lock = NSLock()
    private var _requests: [UpstreamChatRequest] = []
    private var _terminated = 0

    init(_ steps: [Step]) { self.scripts = [steps] }

    /// A different script for each attempt (retries), the last repeating.
    init(attempts: [[Step]]) { self.scripts = attempts }

    var requests: [UpstreamChatRequest] { lock.withLock { _requests } }
    /// How many streams ended because the consumer stopped iterating (the transfer was aborted).
    var terminations: Int { lock.withLock { _terminated } }

    func call(_ request: UpstreamChatRequest) -> any UpstreamCall {
        let steps = lock.withLock {
            _requests.append(request)
            return scripts[min(_requests.count, scripts.count) - 1]
        }
        let task = Mutex<Task<Void, Never>?>(nil)
        let queue = UpstreamEventQueue(onCancel: { [weak self] in
            task.withLock { $0?.cancel() }
            self?.lock.withLock { self?._terminated += 1 }
        })
        task.withLock {
            $0 = Task {
                for step in steps {
                    switch step {
                    case .event(let event): queue.yield(event)
                    case .pause(let duration): try? await Task.sleep(for: duration)
                    case .hang: while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
                    }
                    if Task.isCancelled { break }
                }
                queue.yield(.end(nil))
            }
        }
        return queue
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
    static func make(
        _ repository: any ChatRepository, _ upstream: any ChatUpstream, flush: Duration = .milliseconds(20),
        retry: RetryPolicy = .none, defaultMaxTokens: Int = 4096, models: [ModelInfo] = [],
        budget: BudgetGuard? = nil, breaker: CircuitBreaker? = nil
    ) -> ChatService {
        let catalog = Dictionary(models.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return ChatService(
            repository: repository, upstream: upstream, workerPID: getpid(), logger: Logger(label: "test"),
            prices: { catalog[$0] }, budget: budget, breaker: breaker
        ) {
            ChatSettings(defaultModel: "fake/lorem", flushInterval: flush, defaultMaxTokens: defaultMaxTokens, retry: retry)
        }
    }
}

/// A clock for the breaker that moves only when told to.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: Double = 1_000

    func advance(by delta: Double) { lock.withLock { seconds += delta } }
    var now: Double { lock.withLock { seconds } }

    /// Wall time is the monotonic time plus a fixed epoch offset (2026-11-30T00:00:00Z at start).
    var breakerClock: BreakerClock {
        BreakerClock(now: { self.now }, wallNow: { 1_795_996_800 - 1_000 + self.now })
    }
}

/// A spend store with fixed amounts, for budget checks without a database.
final class FixedSpend: SpendStore, @unchecked Sendable {
    private let lock = NSLock()
    private var _spend: Spend

    init(_ spend: Spend) { _spend = spend }

    var value: Spend {
        get { lock.withLock { _spend } }
        set { lock.withLock { _spend = newValue } }
    }

    func spend(day: UTCDay, conversationID: String?) async throws -> Spend {
        var s = value
        if conversationID == nil { s.conversation = 0 }
        return s
    }

    /// Each account's own spend (none unless set).
    var personal: [String: Spend] {
        get { lock.withLock { _personal } }
        set { lock.withLock { _personal = newValue } }
    }
    private var _personal: [String: Spend] = [:]

    func spend(day: UTCDay, ownerID: String) async throws -> Spend { personal[ownerID] ?? Spend() }
    func spendByDay(from: UTCDay, to: UTCDay) async throws -> [UTCDay: Double] { [:] }
    func spendByModel(from: UTCDay, to: UTCDay) async throws -> [ModelSpend] { [] }
    func spendByDay(from: UTCDay, to: UTCDay, ownerID: String) async throws -> [UTCDay: Double] { [:] }
    func spendByModel(from: UTCDay, to: UTCDay, ownerID: String) async throws -> [ModelSpend] { [] }
    func spendByOwner(day: UTCDay) async throws -> [(ownerID: String, spend: Spend)] { personal.map { ($0.key, $0.value) } }
}

/// A failure the breaker counts, before any stream (HTTP 503).
let upstream503 = UpstreamFailure(code: "upstream_503", message: "no provider", httpStatus: 503, retryable: true)

/// Collects a turn's events.
func collect(_ stream: some AsyncSequence<ChatEvent, Never>) async -> [ChatEvent] {
    var events: [ChatEvent] = []
    for await event in stream { events.append(event) }
    return events
}

extension TempDatabase {
    /// Both engines, for `@Test(arguments: TempDatabase.engines)`.
    static let engines = TestDatabase.engines

    /// How many messages the full-text index finds `word` in (FTS5's `messages_fts` on SQLite, the `search` vectors
    /// on PostgreSQL), read on a connection of its own.
    func indexed(_ word: String) throws -> Int {
        let raw = try connection()
        switch engine {
        case .sqlite: return try raw.scalarInt("SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH '\(word)'") ?? -1
        case .postgres: return try raw.scalarInt("SELECT COUNT(*) FROM messages WHERE search @@ to_tsquery('simple', '\(word)')") ?? -1
        }
    }
}
