import Foundation
import NTPostgres
import NTSystem

/// A throwaway PostgreSQL 15 cluster from Debian's `postgresql-15` package, started once per test process on a free
/// loopback port with its data in a temporary folder, and stopped when the process exits.
///
/// Each caller gets a database of its own (``freshDatabase(prefix:)``), so tests never see each other's rows. As
/// root (CI), the server runs as the `postgres` user the package creates: PostgreSQL refuses to run as root.
/// A missing package is a failure, not a skip: `scripts/install-deps.sh` installs it.
public enum TestPostgres {
    public static let binaries = "/usr/lib/postgresql/15/bin"
    /// The superuser of the throwaway cluster, and the password every login uses (SCRAM, over TCP).
    public static let superuser = "nt_admin"
    public static let password = "nt-test-password"

    public struct Cluster: Sendable {
        public let port: Int
        public let directory: String
        /// A URL for `database` as the superuser (the password is not in it: pass ``TestPostgres/password``).
        public func url(database: String, user: String = TestPostgres.superuser) -> String {
            "postgres://\(user)@127.0.0.1:\(port)/\(database)?sslmode=disable"
        }
    }

    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The cluster, started on first use.
    public static func cluster() throws -> Cluster {
        try lock.withLock {
            if let started { return started }
            let cluster = try startCluster()
            started = cluster
            return cluster
        }
    }

    /// A new, empty database owned by the superuser; returns its URL.
    public static func freshDatabase(prefix: String = "t") throws -> (url: String, name: String) {
        let cluster = try cluster()
        let name = "\(prefix)_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        let admin = try connect(cluster.url(database: "postgres"))
        try admin.execute("CREATE DATABASE \(name)")
        return (cluster.url(database: name), name)
    }

    /// A connection to `url` with the test password.
    public static func connect(_ url: String) throws -> PostgresConnection {
        try PostgresConnection(parameters: [("dbname", url), ("password", password), ("connect_timeout", "5")])
    }

    /// Stops the server (`pg_ctl stop -m fast`: sessions are ended) and leaves it down until ``start()``. Other tests
    /// of the process share the cluster: start it again in the same test.
    public static func stop() throws {
        let cluster = try cluster()
        try pgCtl(["-D", cluster.directory + "/data", "-m", "fast", "-w", "stop"], cluster)
    }

    /// Starts the server stopped by ``stop()`` on the same port and data; returns once it accepts connections.
    public static func start() throws {
        let cluster = try cluster()
        try pgCtl(["-D", cluster.directory + "/data", "-l", cluster.directory + "/server.log", "-w", "start"], cluster)
    }

    // MARK: internals

    nonisolated(unsafe) private static var started: Cluster?
    private static let lock = NSLock()

    private static var asRoot: Bool { getuid() == 0 }

    private static func startCluster() throws -> Cluster {
        guard FileManager.default.isExecutableFile(atPath: binaries + "/initdb") else {
            throw StartFailure(description: "\(binaries)/initdb is missing: scripts/install-deps.sh installs Debian's postgresql-15")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let passwordFile = directory + "/pw"
        try Data((password + "\n").utf8).write(to: URL(fileURLWithPath: passwordFile))
        if asRoot { try run("/bin/chown", ["-R", "postgres:postgres", directory]) }
        try run(binaries + "/initdb", [
            "-D", directory + "/data", "-U", superuser, "--pwfile", passwordFile, "-A", "scram-sha-256",
            "-E", "UTF8", "--locale", "C", "--no-sync",
        ], asPostgres: true)
        let port = try freePort()
        let cluster = Cluster(port: port, directory: directory)
        try pgCtl(["-D", directory + "/data", "-l", directory + "/server.log", "-w", "start"], cluster)
        atexit { TestPostgres.stopAtExit() }
        return cluster
    }

    private static func stopAtExit() {
        guard let started else { return }
        _ = try? run(binaries + "/pg_ctl", ["-D", started.directory + "/data", "-m", "immediate", "-w", "stop"], asPostgres: true)
        try? FileManager.default.removeItem(atPath: started.directory)
    }

    private static func pgCtl(_ arguments: [String], _ cluster: Cluster) throws {
        let options = "-p \(cluster.port) -k \(cluster.directory) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        try run(binaries + "/pg_ctl", arguments + ["-o", options], asPostgres: true)
    }

    /// Runs a program to its end with NTSystem's Spawner and waitpid, its output in a file. (Foundation's `Process` did not
    /// reap `runuser` here when several tests waited for the cluster at once: it stayed a zombie and
    /// `waitUntilExit()` never returned.) Returns what it printed, standard output and error together.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], asPostgres: Bool = false) throws -> String {
        let argv = asPostgres && asRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments : [executable] + arguments
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("nt-pg-run-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        // NTSystem's Spawner closes every other descriptor in the child: the server `pg_ctl start` leaves running must
        // not hold one of the test run (the build lock a locked `swift test` holds stayed taken by a cluster whose
        // test process had crashed). Its sources must be at or above 10.
        func above10(_ fd: Int32) -> Int32 {
            defer { close(fd) }
            return fcntl(fd, F_DUPFD_CLOEXEC, 10)
        }
        let output = above10(Glibc.open(outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644))
        let input = above10(Glibc.open("/dev/null", O_RDONLY))
        defer { close(output); close(input) }
        let pid = try Spawner.spawn(
            executable: argv[0], arguments: Array(argv.dropFirst()), environment: ProcessInfo.processInfo.environment,
            descriptors: [.init(source: input, target: 0), .init(source: output, target: 1), .init(source: output, target: 2)]
        )
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0
        guard exited && (status >> 8) & 0xff == 0 else {
            throw StartFailure(description: "\(executable) \(arguments.joined(separator: " ")) failed (status \(status)): \(text)")
        }
        return text
    }

    private static func freePort() throws -> Int {
        let socket = try ListeningSocket.open(host: "127.0.0.1", port: 0)
        defer { socket.close() }
        return socket.port
    }

}
