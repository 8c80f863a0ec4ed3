import Foundation
import NTPostgres
import NTStorage
import Synchronization

extension TestPostgres {
    /// The role every migrated test database belongs to: a plain login role (no superuser, no CREATEDB), as an
    /// appliance's database user is, so the schema is shown to apply without privileges. Its password is
    /// ``password``.
    public static let owner = "nt_owner"

    /// A new database owned by ``owner`` and migrated to ``PostgresSchema``'s newest version, with a connection to
    /// it as that owner, its URL (for more connections: ``open(_:)``) and its name (for ``drop(database:)``).
    public static func migratedDatabase() throws -> (database: PostgresDatabase, url: String, name: String) {
        try createOwner()
        let fresh = try freshDatabase()
        try connect(cluster().url(database: "postgres")).execute("ALTER DATABASE \(fresh.name) OWNER TO \(owner)")
        let url = try cluster().url(database: fresh.name, user: owner)
        let database = try open(url)
        try Migrator(database: database).migrate()
        return (database, url, fresh.name)
    }

    /// A new database owned by ``owner`` holding what ``migratedDatabase()`` makes, copied from a database migrated
    /// once per process (a copy costs a fraction of a migration); returns its URL as its owner and its name.
    public static func migratedCopy() throws -> (url: String, name: String) {
        let template = try migratedTemplate()
        let name = "c_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try connect(cluster().url(database: "postgres")).execute("CREATE DATABASE \(name) TEMPLATE \(template) OWNER \(owner)")
        return (try cluster().url(database: name, user: owner), name)
    }

    /// A ``PostgresDatabase`` connection to `url` with the test password.
    public static func open(_ url: String) throws -> PostgresDatabase {
        try PostgresDatabase(url: PostgresURL(url), password: password, applicationName: "tests")
    }

    /// Drops a test's database in the background, ending the connections still open to it: PostgreSQL waits for
    /// their server processes to go in steps of 100 ms, which the test need not wait for. Best effort: the cluster
    /// and its files go when the process exits. The process's exit waits for the drops under way (up to 10 s): a
    /// drop still connecting while the exit handlers tear OpenSSL down would crash the test run at its very end.
    public static func drop(database name: String) {
        _ = exitWaitsForDrops
        dropsUnderWay.enter()
        DispatchQueue.global().async {
            defer { dropsUnderWay.leave() }
            _ = try? connect(cluster().url(database: "postgres")).execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
    }

    private static let dropsUnderWay = DispatchGroup()
    /// Registered after OpenSSL's own exit handler (the first connection set that up), so it runs before it.
    private static let exitWaitsForDrops: Void = {
        atexit { _ = TestPostgres.dropsUnderWay.wait(timeout: .now() + 10) }
    }()

    /// Runs the psql script `file` on the database at `url` (psql -X, ON_ERROR_STOP) and returns what it printed,
    /// notices included; throws with that text when a statement of the script failed.
    public static func psql(file: String, url: String) throws -> String {
        try run(binaries + "/psql", ["-X", "-v", "ON_ERROR_STOP=1", "-d", "\(url)&password=\(password)", "-f", file])
    }

    private static let ownerCreated = Mutex(false)
    private static let template = Mutex<String?>(nil)

    /// The database ``migratedCopy()`` copies, migrated on first use; nothing stays connected to it.
    private static func migratedTemplate() throws -> String {
        try template.withLock { made in
            if let made { return made }
            let name = try migratedDatabase().name
            made = name
            return name
        }
    }

    private static func createOwner() throws {
        try ownerCreated.withLock { created in
            guard !created else { return }
            try connect(cluster().url(database: "postgres"))
                .execute("CREATE ROLE \(owner) LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '\(password)'")
            created = true
        }
    }
}

/// A migrated, empty database for one test, on either engine: a SQLite file in a temporary folder, or a database of
/// its own on the throwaway PostgreSQL cluster (``TestPostgres``). Suites that run on both engines take
/// ``engines`` as their arguments. ``remove()`` deletes it.
public struct TestDatabase: Sendable {
    /// Both engines, SQLite first: `@Test(arguments: TestDatabase.engines)`.
    public static let engines: [DatabaseEngine] = [.sqlite, .postgres]

    public let engine: DatabaseEngine
    /// A temporary folder of the test's own, removed with the database (SQLite's file is in it).
    public let directory: String
    /// SQLite's database file (a SQLite database only).
    public var path: String { directory + "/neural-terminal.db" }
    /// The PostgreSQL database's URL as its owner, without the password (``TestPostgres/password``); nil on SQLite.
    public let url: String?
    private let postgresName: String?

    /// Creates and migrates the database: SQLite to ``Schema``'s newest version (or through `sqliteMigrations`, to
    /// test an upgrade), PostgreSQL to ``PostgresSchema``'s.
    public init(_ engine: DatabaseEngine, sqliteMigrations: [Migration]? = nil) throws {
        self.engine = engine
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-db-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        switch engine {
        case .sqlite:
            try Migrator(database: SQLiteDatabase(path: directory + "/neural-terminal.db"), migrations: sqliteMigrations).migrate()
            (url, postgresName) = (nil, nil)
        case .postgres:
            let made = try TestPostgres.migratedCopy()
            (url, postgresName) = (made.url, made.name)
        }
    }

    /// A new connection to the database.
    public func connect() throws -> any DatabaseConnection {
        switch engine {
        case .sqlite: try SQLiteDatabase(path: path)
        case .postgres: try TestPostgres.open(url ?? "")
        }
    }

    public func remove() {
        if let postgresName { TestPostgres.drop(database: postgresName) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

extension TestPostgres {
    /// `pg_dump -Fc` of the database at `url` into `file`: the backup docs/runbook.md prescribes on PostgreSQL.
    public static func dump(url: String, to file: String) throws {
        _ = try run(binaries + "/pg_dump", ["-Fc", "-f", file, "-d", "\(url)&password=\(password)"])
    }

    /// `pg_restore --no-owner --role=<role>` of `file` into the (empty) database at `url`: the runbook's restore drill.
    public static func restore(_ file: String, into url: String, role: String) throws {
        _ = try run(binaries + "/pg_restore", ["--no-owner", "--role=\(role)", "-d", "\(url)&password=\(password)", file])
    }
}
