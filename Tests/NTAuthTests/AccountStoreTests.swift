import Foundation
import NTAuth
import NTStorage
import PostgresTestSupport
import Testing

@Suite("Accounts in the database")
struct AccountStoreTests {
    let policy = SessionPolicy(idleSeconds: 600, absoluteSeconds: 3600)
    static let aliceHash = "$2b$04$" + String(repeating: "a", count: 53)
    static let bobHash = "$2b$04$" + String(repeating: "b", count: 53)

    @Test("a new database has one account, the owner, an admin named admin without a password", arguments: TestDatabase.engines)
    func ownerFromTheStart(_ engine: DatabaseEngine) async throws {
        let db = try TemporaryDatabase(engine)
        let store = try db.store()
        let accounts = try await store.accounts()
        #expect(accounts.map(\.name) == ["admin"])
        #expect(accounts.first?.isOwner == true && accounts.first?.role == .admin && accounts.first?.hasPassword == false)
    }

    @Test("names are unique regardless of case and follow the naming rules", arguments: TestDatabase.engines)
    func names(_ engine: DatabaseEngine) async throws {
        let db = try TemporaryDatabase(engine)
        let store = try db.store()
        let alice = try await store.addAccount(name: "alice", role: .member, passwordHash: Self.aliceHash, now: 1)
        #expect(alice.role == .member && alice.hasPassword && !alice.isOwner)
        #expect(try await store.account(named: "ALICE")?.id == alice.id)
        await #expect(throws: AccountError.self) { try await store.addAccount(name: "Alice", role: .member, passwordHash: nil, now: 2) }
        for bad in ["", " alice", "-x", "a b", "ä", String(repeating: "x", count: 65), "a\nb"] {
            await #expect(throws: AccountError.self, "\(bad)") { try await store.addAccount(name: bad, role: .member, passwordHash: nil, now: 2) }
        }
        let email = try await store.addAccount(name: "carol.x+lab@example.org", role: .member, passwordHash: nil, now: 3)
        #expect(!email.hasPassword)
    }

    @Test("each session validates against its own account's password, and a new password ends only that account's sessions", arguments: TestDatabase.engines)
    func sessionsPerAccount(_ engine: DatabaseEngine) async throws {
        let db = try TemporaryDatabase(engine)
        let store = try db.store()
        let alice = try await store.addAccount(name: "alice", role: .member, passwordHash: Self.aliceHash, now: 0)
        let bob = try await store.addAccount(name: "bob", role: .member, passwordHash: Self.bobHash, now: 0)
        let a = try await store.openSession(account: alice, passwordHash: Self.aliceHash, clientIP: "", userAgent: "", policy: policy, now: 0)
        let b = try await store.openSession(account: bob, passwordHash: Self.bobHash, clientIP: "", userAgent: "", policy: policy, now: 0)
        #expect(try await store.session(secret: a, ownerPasswordHash: nil, policy: policy, now: 1)?.account.name == "alice")
        #expect(try await store.session(secret: b, ownerPasswordHash: nil, policy: policy, now: 1)?.account.name == "bob")

        let ended = try await store.setPassword(accountID: alice.id, hash: Self.bobHash, now: 2)
        #expect(ended == 1)
        #expect(try await store.session(secret: a, ownerPasswordHash: nil, policy: policy, now: 3) == nil)
        #expect(try await store.session(secret: b, ownerPasswordHash: nil, policy: policy, now: 3) != nil, "bob's session goes on")
    }

    @Test("a session opened under a password that is no longer the account's does not validate", arguments: TestDatabase.engines)
    func staleFingerprint(_ engine: DatabaseEngine) async throws {
        let db = try TemporaryDatabase(engine)
        let store = try db.store()
        let alice = try await store.addAccount(name: "alice", role: .member, passwordHash: Self.aliceHash, now: 0)
        let forged = try await store.openSession(account: alice, passwordHash: Self.bobHash, clientIP: "", userAgent: "", policy: policy, now: 0)
        #expect(try await store.session(secret: forged, ownerPasswordHash: Self.bobHash, policy: policy, now: 1) == nil,
                "the owner's configured hash applies to the owner only")
    }

    @Test("disabling an account ends its sessions and its tokens stop validating; enabling lets it log in again", arguments: TestDatabase.engines)
    func disable(_ engine: DatabaseEngine) async throws {
        let db = try TemporaryDatabase(engine)
        let store = try db.store()
        let alice = try await store.addAccount(name: "alice", role: .member, passwordHash: Self.aliceHash, now: 0)
        let session = try await store.openSession(account: alice, passwordHash: Self.aliceHash, clientIP: "", userAgent: "", policy: policy, now: 0)
        let token = try await store.createToken(account: alice, name: "script", expiresAt: nil, now: 0)
        #expect(try await store.validToken(token.secret, now: 1)?.account.id == alice.id)

        #expect(try await store.setDisabled(accountID: alice.id, true, now: 2) == 1)
        #expect(try await store.account(id: alice.id)?.isDisabled == true)
        #expect(try await store.session(secret: session, ownerPasswordHash: nil, policy: policy, now: 3) == nil)
        #expect(try await store.validToken(token.secret, now: 3) == nil)

        try await store.setDisabled(accountID: alice.id, false, now: 4)
        #expect(try await store.validToken(token.secret, now: 5) != nil, "a token outlives a suspension")
        #expect(try await store.tokens(accountID: alice.id).map(\.user) == ["alice"])
    }

    @Test("the owner cannot be disabled or demoted, and the last active admin stays an admin", arguments: TestDatabase.engines)
    func protectedAdmins(_ engine: DatabaseEngine) async throws {
        let db = try TemporaryDatabase(engine)
        let store = try db.store()
        await #expect(throws: AccountError.self) { try await store.setDisabled(accountID: Account.ownerID, true, now: 1) }
        await #expect(throws: AccountError.self) { try await store.setRole(accountID: Account.ownerID, .member, now: 1) }
        let dana = try await store.addAccount(name: "dana", role: .admin, passwordHash: nil, now: 1)
        try await store.setRole(accountID: dana.id, .member, now: 2)
        #expect(try await store.account(id: dana.id)?.role == .member)
        try await store.setRole(accountID: dana.id, .admin, now: 3)
        try await store.setDisabled(accountID: dana.id, true, now: 4)
        #expect(try await store.account(id: dana.id)?.isDisabled == true, "another admin (the owner) is still active")
    }

    @Test("budgets and names can be changed; a taken name is refused", arguments: TestDatabase.engines)
    func budgetsAndRename(_ engine: DatabaseEngine) async throws {
        let db = try TemporaryDatabase(engine)
        let store = try db.store()
        let alice = try await store.addAccount(name: "alice", role: .member, passwordHash: nil, now: 0)
        try await store.setBudgets(accountID: alice.id, daily: 1.5, monthly: 20, now: 1)
        let read = try #require(try await store.account(id: alice.id))
        #expect(read.dailyBudgetUSD == 1.5 && read.monthlyBudgetUSD == 20)
        await #expect(throws: AccountError.self) { try await store.rename(accountID: alice.id, to: "ADMIN", now: 2) }
        try await store.rename(accountID: alice.id, to: "alice2", now: 3)
        #expect(try await store.account(named: "alice2")?.id == alice.id)
    }
}

@Suite("The upgrade from one password to accounts")
struct AccountsMigrationTests {
    @Test("the password, sessions and tokens of a database made before accounts belong to the owner and keep working")
    func upgrade() async throws {
        let db = try TemporaryDatabase(through: 10)
        let raw = try SQLiteDatabase(path: db.path)
        let hash = "$2b$04$" + String(repeating: "c", count: 53)
        let sessionSecret = "s3cr3t-session"
        try raw.execute("""
            INSERT INTO auth_password (id, hash, changed_at) VALUES (1, '\(hash)', '2026-12-01T00:00:00Z');
            INSERT INTO auth_sessions (id_hash, password_fingerprint, created_at, last_seen_at)
              VALUES ('\(Secrets.storedHash(of: sessionSecret))', '\(Password.fingerprint(ofHash: hash))', 100, 100);
            INSERT INTO api_tokens (id, name, secret_hash, created_at) VALUES ('0123456789ab', 'old script', '\(Secrets.storedHash(of: "tokensecret"))', 100);
            """)
        _ = try Migrator(database: raw).migrate()

        let store = try db.store()
        let owner = try #require(try await store.account(id: Account.ownerID))
        #expect(owner.name == "admin" && owner.isAdmin && owner.hasPassword)
        #expect(try await store.storedPasswordHash() == hash)
        let policy = SessionPolicy(idleSeconds: 600, absoluteSeconds: 3600)
        #expect(try await store.session(secret: sessionSecret, ownerPasswordHash: nil, policy: policy, now: 200)?.account.isOwner == true)
        #expect(try await store.validToken("ntk_0123456789ab_tokensecret", now: 200)?.account.isOwner == true)
        #expect(try raw.scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'auth_password'") == 0)
    }
}
