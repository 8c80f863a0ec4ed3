import Foundation
import NTAuth
import NTStorage
import PostgresTestSupport
import Testing

/// A migrated database for one test, SQLite's (the default) or PostgreSQL's, removed when the test ends.
struct TemporaryDatabase: ~Copyable {
    let database: TestDatabase
    /// SQLite's file.
    var path: String { database.path }

    init(_ engine: DatabaseEngine = .sqlite) throws {
        database = try TestDatabase(engine)
    }

    /// A SQLite database migrated only `through` a version (to test an upgrade from it).
    init(through version: Int) throws {
        database = try TestDatabase(.sqlite, sqliteMigrations: Schema.migrations(through: version))
    }

    /// A store on a connection of its own, as each process opens it.
    func store() throws -> AuthStore {
        database.engine == .sqlite ? try AuthStore(path: path) : AuthStore(connection: try database.connect())
    }

    /// What the database holds: SQLite's file and its WAL; on PostgreSQL, every row of the auth tables as text.
    func storedBytes() throws -> Data {
        guard database.engine == .postgres else {
            return try Data(contentsOf: URL(fileURLWithPath: path)) + ((try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data())
        }
        let rows = try database.connect().prepare("""
            SELECT concat_ws(' ', (SELECT string_agg(CAST(s AS text), ' ') FROM auth_sessions s),
                                  (SELECT string_agg(CAST(t AS text), ' ') FROM api_tokens t))
            """)
        _ = try rows.step()
        return Data((rows.string(0) ?? "").utf8)
    }

    deinit { database.remove() }
}

@Suite("Browser sessions in the database")
struct SessionStoreTests {
    let policy = SessionPolicy(idleSeconds: 600, absoluteSeconds: 3600)
    let hash = "$2b$04$" + String(repeating: "a", count: 53)

    @Test("a session opened at login validates with its secret and no other", arguments: TestDatabase.engines)
    func openAndValidate(_ engine: DatabaseEngine) async throws {
        let db = try TemporaryDatabase(engine)
        let store = try db.store()
        let secret = try await store.openSession(account: .owner, passwordHash: hash, clientIP: "127.0.0.1", userAgent: "test", policy: policy, now: 1000)
        #expect(try await store.session(secret: secret, ownerPasswordHash: hash, policy: policy, now: 1001) != nil)
        #expect(try await store.session(secret: secret + "x", ownerPasswordHash: hash, policy: policy, now: 1001) == nil)
        #expect(try await store.session(secret: "", ownerPasswordHash: hash, policy: policy, now: 1001) == nil)
    }

    @Test("the database holds only the hash of the session id", arguments: TestDatabase.engines)
    func onlyHashStored(_ engine: DatabaseEngine) async throws {
        let db = try TemporaryDatabase(engine)
        let store = try db.store()
        let secret = try await store.openSession(account: .owner, passwordHash: hash, clientIP: "", userAgent: "", policy: policy, now: 0)
        let bytes = try db.storedBytes()
        #expect(bytes.range(of: Data(secret.utf8)) == nil)
        #expect(bytes.range(of: Data(Secrets.storedHash(of: secret).utf8)) != nil)
    }

    @Test("a session ends after the idle limit without requests, and is kept alive by them", arguments: TestDatabase.engines)
    func idle(_ engine: DatabaseEngine) async throws {
        let db = try TemporaryDatabase(engine)
        let store = try db.store()
        let secret = try await store.openSession(account: .owner, passwordHash: hash, clientIP: "", userAgent: "", policy: policy, now: 0)
        // Requests every 500 s keep it alive well past 600 s …
        for now in stride(from: 500.0, through: 3000, by: 500) {
            #expect(try await store.session(secret: secret, ownerPasswordHash: hash, policy: policy, now: now) != nil, "at \(now)")
        }
        // … and 600 s of silence ends it for good.
        #expect(try await store.session(secret: secret, ownerPasswordHash: hash, policy: policy, now: 3600.5 - 0.5 + 600) == nil)
        #expect(try await store.sessionCount() == 0)
    }

    @Test("with the shortest idle limit (one minute) a session seen every 17 s stays alive", arguments: TestDatabase.engines)
    func shortIdle(_ engine: DatabaseEngine) async throws {
        let db = try TemporaryDatabase(engine)
        let store = try db.store()
        let minute = SessionPolicy(idleSeconds: 60, absoluteSeconds: 3600)
        let secret = try await store.openSession(account: .owner, passwordHash: hash, clientIP: "", userAgent: "", policy: minute, now: 0)
        for now in stride(from: 17.0, through: 340, by: 17) {
            #expect(try await store.session(secret: secret, ownerPasswordHash: hash, policy: minute, now: now) != nil, "at \(now)")
        }
    }

    @Test("a session ends at the absolute limit however active", arguments: TestDatabase.engines)
    func absolute(_ engine: DatabaseEngine) async throws {
        let db = try TemporaryDatabase(engine)
        let store = try db.store()
        let secret = try await store.openSession(account: .owner, passwordHash: hash, clientIP: "", userAgent: "", policy: policy, now: 0)
        for now in stride(from: 300.0, to: 3600, by: 300) {
            #expect(try await store.session(secret: secret, ownerPasswordHash: hash, policy: policy, now: now) != nil)
        }
        #expect(try await store.session(secret: secret, ownerPasswordHash: hash, policy: policy, now: 3600) == nil)
    }

    @Test("changing the password ends every session, whether stored or set in the config", arguments: TestDatabase.engines)
    func passwordChange(_ engine: DatabaseEngine) async throws {
        let db = try TemporaryDatabase(engine)
        let store = try db.store()
        let a = try await store.openSession(account: .owner, passwordHash: hash, clientIP: "", userAgent: "", policy: policy, now: 0)
        let b = try await store.openSession(account: .owner, passwordHash: hash, clientIP: "", userAgent: "", policy: policy, now: 0)
        // A different hash in effect (e.g. auth.password_hash changed and SIGHUP): the old sessions do not validate.
        let other = "$2b$04$" + String(repeating: "b", count: 53)
        #expect(try await store.session(secret: a, ownerPasswordHash: other, policy: policy, now: 1) == nil)
        // `passwd`: a stored hash replaces the old and deletes every session.
        let ended = try await store.setPasswordHash(other, now: 2)
        #expect(ended == 1)
        #expect(try await store.storedPasswordHash() == other)
        #expect(try await store.session(secret: b, ownerPasswordHash: other, policy: policy, now: 3) == nil)
    }

    @Test("ending every session says how many there were", arguments: TestDatabase.engines)
    func closeAll(_ engine: DatabaseEngine) async throws {
        let db = try TemporaryDatabase(engine)
        let store = try db.store()
        for _ in 0..<3 { _ = try await store.openSession(account: .owner, passwordHash: hash, clientIP: "", userAgent: "", policy: policy, now: 0) }
        #expect(try await store.closeAllSessions() == 3)
        #expect(try await store.sessionCount() == 0)
        #expect(try await store.closeAllSessions() == 0)
    }

    @Test("logout ends one session, the others stay", arguments: TestDatabase.engines)
    func logout(_ engine: DatabaseEngine) async throws {
        let db = try TemporaryDatabase(engine)
        let store = try db.store()
        let a = try await store.openSession(account: .owner, passwordHash: hash, clientIP: "", userAgent: "", policy: policy, now: 0)
        let b = try await store.openSession(account: .owner, passwordHash: hash, clientIP: "", userAgent: "", policy: policy, now: 0)
        #expect(try await store.closeSession(secret: a))
        #expect(try await !store.closeSession(secret: a))
        #expect(try await store.session(secret: a, ownerPasswordHash: hash, policy: policy, now: 1) == nil)
        #expect(try await store.session(secret: b, ownerPasswordHash: hash, policy: policy, now: 1) != nil)
    }
}

@Suite("API tokens in the database")
struct TokenStoreTests {
    @Test("a token is shown once as ntk_<id>_<secret>, validates, and stops validating when revoked", arguments: TestDatabase.engines)
    func lifecycle(_ engine: DatabaseEngine) async throws {
        let db = try TemporaryDatabase(engine)
        let store = try db.store()
        let issued = try await store.createToken(account: .owner, name: "ci script", expiresAt: nil, now: 100)
        #expect(issued.secret.hasPrefix("ntk_\(issued.token.id)_"))
        #expect(try await store.validToken(issued.secret, now: 200)?.token.id == issued.token.id)
        #expect(try await store.tokens().first?.lastUsedAt == 200)
        #expect(try await store.revokeToken(id: issued.token.id, now: 300))
        #expect(try await store.validToken(issued.secret, now: 301) == nil)
        #expect(try await store.tokens().first?.status(at: 301) == "revoked")
        #expect(try await !store.revokeToken(id: issued.token.id, now: 302))
    }

    @Test("an expired, altered or unknown token does not validate", arguments: TestDatabase.engines)
    func refused(_ engine: DatabaseEngine) async throws {
        let db = try TemporaryDatabase(engine)
        let store = try db.store()
        let issued = try await store.createToken(account: .owner, name: "short", expiresAt: 500, now: 100)
        #expect(try await store.validToken(issued.secret, now: 499) != nil)
        #expect(try await store.validToken(issued.secret, now: 500) == nil)
        let other = try await store.createToken(account: .owner, name: "other", expiresAt: nil, now: 100)
        for bad in [other.secret + "x", String(other.secret.dropLast()), "ntk_\(other.token.id)_", "Bearer " + other.secret,
                    other.secret.replacingOccurrences(of: other.token.id, with: issued.token.id), "", "ntk_"] {
            #expect(try await store.validToken(bad, now: 200) == nil, "\(bad)")
        }
    }

    @Test("tokens are listed newest first without their secrets", arguments: TestDatabase.engines)
    func listing(_ engine: DatabaseEngine) async throws {
        let db = try TemporaryDatabase(engine)
        let store = try db.store()
        let first = try await store.createToken(account: .owner, name: "first", expiresAt: nil, now: 1)
        let second = try await store.createToken(account: .owner, name: "second", expiresAt: nil, now: 2)
        let listed = try await store.tokens()
        #expect(listed.map(\.name) == ["second", "first"])
        let json = String(decoding: try JSONEncoder().encode(listed), as: UTF8.self)
        #expect(!json.contains(first.secret.suffix(43)) && !json.contains(second.secret.suffix(43)))
    }
}

extension Account {
    /// The owner account as the upgrade makes it; what the store needs of it is its id.
    static let owner = Account(
        id: Account.ownerID, name: "admin", role: .admin, hasPassword: false, disabledAt: nil,
        dailyBudgetUSD: nil, monthlyBudgetUSD: nil, createdAt: ""
    )
}
