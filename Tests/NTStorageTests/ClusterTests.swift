import Foundation
import NTStorage
import PostgresTestSupport
import Testing

/// A migrated PostgreSQL database of one test, with what the cluster tests do to it: register runners, end a
/// session as a crash would, and read what another instance reads (is a runner alive, which answers are orphans).
struct SharedDatabase {
    let made: TestDatabase
    /// A connection of the test's own (another instance, an operator's shell).
    let db: any DatabaseConnection
    let location: DatabaseLocation
    /// Makes the application names of this test's sessions its own.
    let tag = UUID().uuidString.prefix(8)

    struct NotPostgres: Error {}

    init() throws {
        made = try TestDatabase(.postgres)
        db = try made.connect()
        location = try DatabaseLocation(url: made.url ?? "", password: TestPostgres.password, dataDir: "")
    }

    func remove() { made.remove() }

    /// The application name the session of `name` (a runner, a leader) shows in `pg_stat_activity`.
    func application(_ name: String) -> String { "tests \(tag) \(name)" }

    /// A runner registered on its own connection, as a web worker registers at its start.
    func runner(_ name: String) throws -> RunnerPresence {
        guard case .postgres(let url, let password) = location else { throw NotPostgres() }
        return try RunnerPresence(url: url, password: password, instance: name, host: "host-\(name)", pid: 4242,
                                  applicationName: application(name))
    }

    func leader(_ name: String, _ job: LeaderLock.Job) -> LeaderLock {
        LeaderLock(location: location, job: job, applicationName: application(name))
    }

    /// How many sessions of `name` are connected.
    func sessions(_ name: String) throws -> Int {
        try db.scalarInt("""
            SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = '\(application(name))'
            """) ?? -1
    }

    /// Ends every session of `name` as a crash of its process would, and waits until they are gone (their locks
    /// with them); returns how many it ended.
    @discardableResult
    func crash(_ name: String) throws -> Int {
        let pids = try db.prepare("""
            SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = '\(application(name))'
            """)
        var ended = 0
        var found: [Int] = []
        while try pids.step() { found.append(pids.int(0)) }
        for pid in found where try db.scalarInt("SELECT CASE WHEN pg_terminate_backend(\(pid), 5000) THEN 1 ELSE 0 END") == 1 {
            ended += 1
        }
        return ended
    }

    /// Whether another instance finds the runner alive.
    func alive(_ runner: Int64) throws -> Bool {
        try db.scalarInt("SELECT CASE WHEN \(ClusterLocks.runnerAlive("\(runner)")) THEN 1 ELSE 0 END") == 1
    }

    /// Adds a conversation (once) and an answer in it, streamed by `runner` (nil: a row without one).
    func answer(_ id: String, runner: Int64?, status: String = "streaming") throws {
        try db.execute("""
            INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('c', 't', 'now', 'now') ON CONFLICT DO NOTHING
            """)
        let insert = try db.prepare("""
            INSERT INTO messages (id, conversation_id, seq, role, content, status, created_at, updated_at, runner_id, worker_pid)
            VALUES (?, 'c', (SELECT COALESCE(MAX(seq), 0) + 1 FROM messages), 'assistant', 'flushed', ?, 'now', 'now', ?, 4242)
            """)
        insert.bind(1, id)
        insert.bind(2, status)
        insert.bind(3, runner.map { Int($0) })
        _ = try insert.step()
    }

    /// The answers another instance judges orphaned (streaming, their runner dead or unknown), by id.
    func orphans() throws -> [String] {
        try strings("SELECT id FROM messages WHERE \(ClusterSweep.orphanCondition) ORDER BY id")
    }

    func status(_ id: String) throws -> (status: String, error: String?, runner: Int?) {
        let row = try db.prepare("SELECT status, error, runner_id FROM messages WHERE id = ?")
        row.bind(1, id)
        guard try row.step() else { return ("missing", nil, nil) }
        return (row.string(0) ?? "", row.string(1), row.isNull(2) ? nil : row.int(2))
    }

    func reserve(for runner: Int64, amount: Double = 0.5) throws {
        try db.execute("""
            INSERT INTO budget_reservations (runner_id, conversation_id, day, amount_usd, created_at)
            VALUES (\(runner), 'c', '2026-12-07', \(amount), 'now')
            """)
    }

    func strings(_ sql: String) throws -> [String] {
        let query = try db.prepare(sql)
        var all: [String] = []
        while try query.step() { all.append(query.string(0) ?? "") }
        return all
    }

    /// Sends a stop request as another instance does (`pg_notify` on the stop channel).
    func notify(_ payloads: [String]) throws {
        let sql = payloads.map { "SELECT pg_notify('\(RunnerPresence.stopChannel)', '\($0)')" }.joined(separator: "; ")
        try db.execute(sql)
    }
}

extension RunnerPresence {
    /// Pumps (at most `times` times, as that many flush ticks would) until `done` holds for what arrived; returns
    /// everything the pumps returned.
    func pump(times: Int = 100, until done: ([String]) throws -> Bool) async rethrows -> [String] {
        var all: [String] = []
        for _ in 0..<times {
            all += await pump()
            if try done(all) { return all }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return all
    }
}

/// Several appliances on one PostgreSQL database (ADR 0021): a runner is alive while its session holds its lock,
/// the sweep clears only what dead runners left, a runner keeps its lock and hears stop requests across a lost
/// connection, and one instance leads each kind of job.
@Suite("Runners, leaders and the sweep", .timeLimit(.minutes(1)))
struct ClusterTests {
    @Test("a runner's streaming answer is alive while its presence lives and dead once it closed")
    func aClosedRunnersAnswerIsDead() async throws {
        let shared = try SharedDatabase()
        defer { shared.remove() }
        let runner = try shared.runner("a")
        try shared.answer("m1", runner: runner.runnerID)
        #expect(try shared.alive(runner.runnerID))
        #expect(try shared.orphans().isEmpty)
        #expect(try shared.strings("SELECT instance || ' ' || host || ' ' || pid FROM runners WHERE id = \(runner.runnerID)") == ["a host-a 4242"])

        await runner.close()
        #expect(try !shared.alive(runner.runnerID))
        #expect(try shared.orphans() == ["m1"])
        #expect(try shared.strings("SELECT id::text FROM runners").isEmpty, "a clean exit deletes its row")
        #expect(try shared.sessions("a") == 0)
    }

    @Test("a runner whose session ended (a crash) is dead, and its answers with it")
    func aCrashedRunnersAnswerIsDead() async throws {
        let shared = try SharedDatabase()
        defer { shared.remove() }
        let (a, b) = (try shared.runner("a"), try shared.runner("b"))
        try shared.answer("ma", runner: a.runnerID)
        try shared.answer("mb", runner: b.runnerID)
        #expect(try shared.crash("a") == 1)
        #expect(try !shared.alive(a.runnerID))
        #expect(try shared.alive(b.runnerID))
        #expect(try shared.orphans() == ["ma"])
    }

    func counts(_ report: ClusterSweep.Report) -> [Int] { [report.interrupted, report.reservations, report.runners] }

    @Test("the sweep interrupts only dead runners' answers and deletes their reservations and rows")
    func theSweepClearsOnlyTheDead() async throws {
        let shared = try SharedDatabase()
        defer { shared.remove() }
        let (live, dead) = (try shared.runner("live"), try shared.runner("dead"))
        try shared.answer("live-streaming", runner: live.runnerID)
        try shared.answer("dead-streaming", runner: dead.runnerID)
        try shared.answer("dead-complete", runner: nil, status: "complete")
        try shared.answer("runnerless", runner: nil)
        try shared.reserve(for: live.runnerID)
        try shared.reserve(for: dead.runnerID)
        try shared.reserve(for: dead.runnerID)
        try shared.crash("dead")

        let first = try ClusterSweep.run(shared.db, runnerless: false)
        #expect(counts(first) == [1, 2, 1], "interrupted, reservations, runners")
        #expect(try shared.status("dead-streaming") == ("interrupted", ClusterSweep.interruptedError, nil))
        #expect(try shared.status("live-streaming") == ("streaming", nil, Int(live.runnerID)))
        #expect(try shared.status("runnerless").status == "streaming", "left to the web worker that judges it by its pid")
        #expect(try shared.status("dead-complete").status == "complete")
        #expect(try shared.strings("SELECT runner_id::text FROM budget_reservations") == ["\(live.runnerID)"])
        #expect(try shared.strings("SELECT id::text FROM runners") == ["\(live.runnerID)"])

        let second = try ClusterSweep.run(shared.db)
        #expect(counts(second) == [1, 0, 0])
        #expect(try shared.status("runnerless").status == "interrupted")
        #expect(try shared.status("live-streaming").status == "streaming")
        #expect(counts(try ClusterSweep.run(shared.db)) == [0, 0, 0], "nothing left to clear")
    }

    @Test("a runner whose session was ended takes its lock again at its next pumps and still hears stop requests")
    func aRunnerRecoversItsLockAndItsStopRequests() async throws {
        let shared = try SharedDatabase()
        defer { shared.remove() }
        let runner = try shared.runner("a")
        #expect(try shared.crash("a") == 1)
        #expect(try !shared.alive(runner.runnerID))

        // A dead session is noticed by the pump that reads from it, and the next one connects again.
        _ = try await runner.pump(times: 10) { _ in try shared.alive(runner.runnerID) }
        #expect(try shared.alive(runner.runnerID), "the lock is taken again")
        #expect(try shared.sessions("a") == 1)

        try shared.notify([RunnerPresence.stopPayload(runnerID: runner.runnerID, messageID: "m-after")])
        let asked = await runner.pump { !$0.isEmpty }
        #expect(asked == ["m-after"], "it listens again on its new session")
    }

    @Test("a stop asked while the runner's session is down is kept on the answer and reaches the runner once it is back")
    func aStopAskedWhileTheRunnerIsAwayIsNotLost() async throws {
        let shared = try SharedDatabase()
        defer { shared.remove() }
        let runner = try shared.runner("a")
        try shared.answer("kept", runner: runner.runnerID)
        try shared.answer("other", runner: runner.runnerID)
        #expect(try shared.crash("a") == 1)
        // Another instance asks while nobody listens: the notification is lost, the row keeps the request.
        try shared.db.execute("UPDATE messages SET stop_requested_at = 'now' WHERE id = 'kept'")
        try shared.notify([RunnerPresence.stopPayload(runnerID: runner.runnerID, messageID: "kept")])

        let asked = await runner.pump(times: 20) { $0.contains("kept") }
        #expect(asked.contains("kept"), "the runner reads the request kept on its answer: \(asked)")
        #expect(!asked.contains("other"), "only the answers asked to stop")
        try shared.db.execute("UPDATE messages SET status = 'stopped' WHERE id = 'kept'")
        #expect(await runner.pump().isEmpty, "an answer that stopped is not asked again")
    }

    @Test("a runner hears only the stop requests addressed to it")
    func stopRequestsReachOnlyTheirRunner() async throws {
        let shared = try SharedDatabase()
        defer { shared.remove() }
        let (a, b) = (try shared.runner("a"), try shared.runner("b"))
        try shared.notify([
            RunnerPresence.stopPayload(runnerID: a.runnerID, messageID: "for-a"),
            RunnerPresence.stopPayload(runnerID: b.runnerID, messageID: "for-b"),
            "\(a.runnerID)", "x for-a", "\(a.runnerID)0 for-a", "",
            RunnerPresence.stopPayload(runnerID: a.runnerID, messageID: "last with spaces"),
            RunnerPresence.stopPayload(runnerID: b.runnerID, messageID: "last"),
        ])
        #expect(await a.pump { $0.last == "last with spaces" } == ["for-a", "last with spaces"])
        #expect(await b.pump { $0.last == "last" } == ["for-b", "last"])
        #expect(await a.pump().isEmpty, "each request is returned once")
    }

    @Test("one of two instances leads a job; the other takes over when it resigns or its session ends")
    func oneLeaderPerJob() async throws {
        let shared = try SharedDatabase()
        defer { shared.remove() }
        let (first, second) = (shared.leader("first", .maintenance), shared.leader("second", .maintenance))
        #expect(await first.lead())
        #expect(!(await second.lead()))
        #expect(await first.lead(), "the leader stays the leader")
        #expect(!(await second.lead()))

        await first.resign()
        #expect(await second.lead(), "a clean exit hands leadership over at the other's next tick")
        #expect(!(await first.lead()))

        #expect(try shared.crash("second") == 1)
        #expect(await first.lead(), "a leader that died lets go with its session")
        #expect(!(await second.lead()), "the old leader notices it lost its session")
        #expect(!(await second.lead()), "and does not lead once connected again")
        #expect(await first.lead())
        await first.resign()
        await second.resign()
    }

    @Test("different jobs are led independently")
    func jobsAreLedApart() async throws {
        let shared = try SharedDatabase()
        defer { shared.remove() }
        let (maintenance, web) = (shared.leader("m", .maintenance), shared.leader("w", .web))
        let (otherMaintenance, otherWeb) = (shared.leader("m2", .maintenance), shared.leader("w2", .web))
        #expect(await maintenance.lead())
        #expect(await web.lead())
        #expect(!(await otherMaintenance.lead()))
        #expect(!(await otherWeb.lead()))
        await web.resign()
        #expect(await otherWeb.lead())
        #expect(!(await otherMaintenance.lead()), "the web job's leadership is not the maintenance job's")
        #expect(await maintenance.lead())
    }

    @Test("on SQLite there is one instance: it always leads")
    func sqliteAlwaysLeads() async {
        let lock = LeaderLock(location: .sqlite(path: "/nonexistent/neural-terminal.db"), job: .maintenance, applicationName: "tests")
        let other = LeaderLock(location: .sqlite(path: "/nonexistent/neural-terminal.db"), job: .maintenance, applicationName: "tests")
        #expect(await lock.lead())
        #expect(await other.lead())
        await lock.resign()
        #expect(await lock.lead())
    }

    @Test("a runner that reconnects while its old lock is still held takes it once it is free")
    func aRunnerRetriesItsLockAfterReconnecting() async throws {
        let shared = try SharedDatabase()
        defer { shared.remove() }
        let runner = try shared.runner("a")
        #expect(try shared.crash("a") == 1)
        // The old session's lock, as the server holds it until it notices a vanished client.
        let stale = try shared.made.connect()
        let key = "\(ClusterLocks.runnerClass), \(runner.runnerID)"
        #expect(try stale.scalarInt("SELECT CASE WHEN pg_try_advisory_lock(\(key)) THEN 1 ELSE 0 END") == 1)
        _ = try await runner.pump(times: 20) { _ in try shared.sessions("a") == 1 }
        #expect(try shared.sessions("a") == 1, "connected again")
        _ = try stale.scalarInt("SELECT CASE WHEN pg_advisory_unlock(\(key)) THEN 1 ELSE 0 END")
        #expect(try !shared.alive(runner.runnerID))

        _ = try await runner.pump(times: 20) { _ in try shared.alive(runner.runnerID) }
        #expect(try shared.alive(runner.runnerID), "the runner took its lock once the old session let go")
    }
}
