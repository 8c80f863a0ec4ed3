import NTAuth
import NTStorage
import PostgresTestSupport
import Testing

/// The login throttle of appliances on one PostgreSQL database: two stores on two connections stand for two
/// appliances behind a load balancer. Times are passed in (wall-clock milliseconds the test chooses).
@Suite(.serialized)
struct SharedLoginThrottleTests {
    static let policy = LoginThrottleSettings(maxFailures: 3, lockout: .seconds(300))
    static let start: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z

    let database: TestDatabase
    let a: SharedLoginThrottle
    let b: SharedLoginThrottle

    init() throws {
        database = try TestDatabase(.postgres)
        a = SharedLoginThrottle(connection: try database.connect()) { Self.policy }
        b = SharedLoginThrottle(connection: try database.connect()) { Self.policy }
    }

    func at(_ seconds: Double) -> EpochInstant { EpochInstant(milliseconds: Self.start + Int64(seconds * 1000)) }

    /// An attempt on `store` at `time` that is admitted and fails.
    func fail(_ store: SharedLoginThrottle, _ client: String = "203.0.113.7", at time: Double) async throws {
        #expect(try await store.admit(client: client, now: at(time)) == .allowed, "attempt at \(time) s")
        try await store.recordFailure(client: client, now: at(time))
    }

    @Test("failures recorded on one appliance slow the client down and lock it out on the other")
    func failuresAreCountedAcrossAppliances() async throws {
        defer { database.remove() }
        try await fail(a, at: 0)
        #expect(try await b.admit(client: "203.0.113.7", now: at(0.25)) == .refused(retryAfter: .milliseconds(750), lockedOut: false))
        try await fail(b, at: 1)
        #expect(try await a.admit(client: "203.0.113.7", now: at(2)) == .refused(retryAfter: .seconds(1), lockedOut: false))
        try await fail(a, at: 3)  // the third failure, alternating a, b, a
        for store in [a, b] {
            #expect(try await store.admit(client: "203.0.113.7", now: at(4)) == .refused(retryAfter: .seconds(299), lockedOut: true))
        }
        #expect(try await b.admit(client: "198.51.100.1", now: at(4)) == .allowed, "another client is not affected")

        // The lockout over, one attempt is allowed on b; it fails, and a refuses at once.
        try await fail(b, at: 303)
        #expect(try await a.admit(client: "203.0.113.7", now: at(304)) == .refused(retryAfter: .seconds(299), lockedOut: true))
    }

    @Test("an attempt in flight on one appliance holds the client on the other; a success there forgets it everywhere")
    func anAttemptInFlightAndASuccessAreShared() async throws {
        defer { database.remove() }
        try await fail(a, at: 0)
        try await fail(b, at: 1)
        #expect(try await a.standing(client: "203.0.113.7", now: at(3)) == 2)
        #expect(try await a.admit(client: "203.0.113.7", now: at(3)) == .allowed)
        #expect(try await b.admit(client: "203.0.113.7", now: at(3.5)) == .refused(retryAfter: .seconds(1), lockedOut: false))
        try await a.recordSuccess(client: "203.0.113.7", now: at(4))
        #expect(try await b.standing(client: "203.0.113.7", now: at(5)) == -1, "good standing, known to b")
        try await fail(b, at: 5)
        #expect(try await a.admit(client: "203.0.113.7", now: at(5.5)) == .refused(retryAfter: .milliseconds(500), lockedOut: false),
                "the count started again at the success")
        // An abandoned attempt counts neither way.
        #expect(try await a.admit(client: "198.51.100.2", now: at(6)) == .allowed)
        try await a.abandon(client: "198.51.100.2")
        #expect(try await b.admit(client: "198.51.100.2", now: at(6)) == .allowed)
    }

    @Test("concurrent attempts of one client through both appliances: one is admitted at a time")
    func concurrentAttemptsAreAdmittedOneAtATime() async throws {
        defer { database.remove() }
        let (a, b) = (a, b)
        for round in 0..<5 {
            let now = at(Double(round) * 20)
            let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    group.addTask { try await (index % 2 == 0 ? a : b).admit(client: "203.0.113.9", now: now) == .allowed }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(allowed == 1, "round \(round): \(allowed) admitted at once")
            try await a.abandon(client: "203.0.113.9")
        }
    }

    @Test("rows that restrict nothing any more are deleted; a recent success is kept")
    func quietClientsAreDeleted() async throws {
        defer { database.remove() }
        for client in 0..<50 { try await fail(a, "198.51.100.\(client)", at: Double(client)) }
        #expect(try await a.admit(client: "192.0.2.1", now: at(60)) == .allowed)
        try await a.recordSuccess(client: "192.0.2.1", now: at(60))
        #expect(try await b.clientCount() == 51)
        // An hour after the last failure (forgetAfter), the next sweep deletes every failed client but the success.
        #expect(try await b.admit(client: "192.0.2.2", now: at(3_700)) == .allowed)
        #expect(try await a.clientCount() == 2)
        #expect(try await a.standing(client: "192.0.2.1", now: at(3_700)) == -1)
    }

    @Test("a store whose database cannot be reached throws: it decides nothing")
    func anUnreachableDatabaseThrows() async throws {
        defer { database.remove() }
        let broken = SharedLoginThrottle(settings: { Self.policy }) {
            throw StorageError(sqlState: StorageError.connectionState, message: "connection refused")
        }
        await #expect(throws: StorageError.self) { try await broken.admit(client: "203.0.113.7", now: at(0)) }
    }
}
