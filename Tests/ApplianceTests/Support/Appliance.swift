import Foundation
import NTIPC
import NTSystem
import NTWorkerKit

/// One real appliance for a test: the built binary, started on free loopback ports with its own data folder,
/// its JSON log captured to a file. Always `stop()` it (tests use `defer`).
final class Appliance: @unchecked Sendable {
    let directory: URL
    let configPath: String
    let logPath: String
    let webPort: Int
    let metricsPort: Int
    let process = Process()
    let grace: Double

    /// The binary under test: `NEURAL_TERMINAL_BINARY`, or `neural-terminal` beside the test bundle.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["NEURAL_TERMINAL_BINARY"] { return path }
        let me = URL(fileURLWithPath: Spawner.currentExecutable())
        return me.deletingLastPathComponent().appendingPathComponent("neural-terminal").path
    }

    /// - Parameters:
    ///   - extraConfig: TOML appended after the generated `[server]`/`[metrics]`/`[storage]` lines; use
    ///     dotted keys (`supervisor.crash_loop_max_restarts = 3`) so sections do not repeat.
    ///   - rateLimited: keep the rate limits of `[limits]` on (the tests of the limits set their own in
    ///     `extraConfig`); other tests run without them.
    ///   - prepare: runs after the config is written and before the binary starts (to seed the data folder).
    ///   - terminal: give the appliance a pseudo-terminal as stdout and stderr (as under `make run`) instead of
    ///     the log file; what it writes there is copied to the log file all the same.
    init(extraConfig: String = "", environment: [String: String] = [:], grace: Double = 5, rateLimited: Bool = false,
         terminal: Bool = false, prepare: (Appliance) throws -> Void = { _ in }) throws {
        self.grace = grace
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configPath = directory.appendingPathComponent("neural-terminal.toml").path
        logPath = directory.appendingPathComponent("log.jsonl").path
        webPort = try Self.freePort()
        metricsPort = try Self.freePort()
        try writeConfig(extraConfig)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        try prepare(self)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["run", "--config", configPath]
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "OPENROUTER_API_KEY")
        if !rateLimited {
            // Tests that seed hundreds of rows or hammer the API would meet 429s. Set in the environment, not the
            // file, so the file's line numbers stay as tests expect and a SIGHUP keeps them off.
            env["NEURAL_TERMINAL_LIMITS_API_REQUESTS_PER_MINUTE"] = "0"
            env["NEURAL_TERMINAL_LIMITS_CHAT_REQUESTS_PER_MINUTE"] = "0"
        }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let tty = terminal ? try PseudoTerminal(copyingTo: logPath) : nil
        let log = tty?.terminal ?? FileHandle(forWritingAtPath: logPath)!
        process.standardOutput = log
        process.standardError = log
        try process.run()
        tty?.closeTerminalSide()
        LeftoverProcesses.track(process.processIdentifier)
    }

    /// The TOML every test starts from: loopback ports, a private data folder, quick restarts.
    func baseConfig(web: Int? = nil) -> String {
        """
        server.listen = "127.0.0.1:\(web ?? webPort)"
        metrics.listen = "127.0.0.1:\(metricsPort)"
        storage.data_dir = "\(directory.path)/data"
        supervisor.shutdown_grace_seconds = \(grace)
        supervisor.restart_initial_backoff_ms = 50

        """
    }

    func writeConfig(_ extra: String, web: Int? = nil) throws {
        try (baseConfig(web: web) + extra).write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    var pid: Int32 { process.processIdentifier }

    var controlSocket: String { directory.path + "/data/run/control.sock" }

    func status() async throws -> SupervisorStatus {
        try SupervisorStatus.decode(try await IPCClient.request(path: controlSocket, command: "status"))
    }

    func get(_ path: String, port: Int? = nil, headers: [String: String] = [:]) throws -> HTTPProbe.Answer {
        try HTTPProbe.fetch("http://127.0.0.1:\(port ?? webPort)\(path)", headers: headers, timeoutSeconds: 3)
    }

    func metrics(_ path: String) throws -> HTTPProbe.Answer { try get(path, port: metricsPort) }

    /// Polls until `/ready` answers 200 and every worker is ready; fails after `timeout` seconds.
    func waitUntilReady(timeout: Double = 15) async throws {
        try await eventually(timeout: timeout, "appliance ready") {
            guard (try? self.metrics("/ready").status) == 200, let status = try? await self.status() else { return false }
            return status.workers.allSatisfy(\.ready)
        }
    }

    /// Every line the appliance has logged so far.
    func logLines() -> [String] {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// The log lines parsed as JSON objects (lines that do not parse are returned as nil entries by `unparsable`).
    func logObjects() -> [[String: Any]] {
        logLines().compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits for the supervisor to exit; returns its exit status, or nil if it is still running at the deadline.
    func waitForExit(timeout: Double) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Stops the appliance (SIGTERM, then SIGKILL) and removes its folder.
    func stop() async {
        if process.isRunning {
            signal(SIGTERM)
            if await waitForExit(timeout: 10) == nil { signal(SIGKILL); _ = await waitForExit(timeout: 5) }
        }
        LeftoverProcesses.forget(pid)
        try? FileManager.default.removeItem(at: directory)
    }

    static func freePort() throws -> Int {
        let socket = try ListeningSocket.open(host: "127.0.0.1", port: 0)
        defer { socket.close() }
        return socket.port
    }
}

struct Timeout: Error, CustomStringConvertible {
    let description: String
}

/// Polls `condition` every 20 ms until it holds, or throws after `timeout` seconds naming `what`.
func eventually(timeout: Double, _ what: String, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw Timeout(description: "timed out after \(timeout) s waiting for: \(what)")
}

/// The pids of processes whose parent is `parent` and that are zombies, read from /proc.
func zombieChildren(of parent: Int32) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { pid in
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 2 && fields[0] == "Z" && Int32(fields[1]) == parent
    }
}

/// Whether a process with this pid exists (zombies count as existing).
func processExists(_ pid: Int32) -> Bool {
    FileManager.default.fileExists(atPath: "/proc/\(pid)")
}

/// Processes the tests started and have not stopped yet. A test's deferred `stop()` runs in a task that may not
/// finish before the test runner exits; whatever is still listed then is killed, so no appliance outlives the
/// run (its workers follow through their parent-death signal).
enum LeftoverProcesses {
    private static let pids = NSLock()
    nonisolated(unsafe) private static var live: Set<Int32> = []
    nonisolated(unsafe) private static var installed = false

    static func track(_ pid: Int32) {
        pids.withLock {
            live.insert(pid)
            if !installed {
                installed = true
                atexit { LeftoverProcesses.killAll() }
            }
        }
    }

    static func forget(_ pid: Int32) {
        pids.withLock { _ = live.remove(pid) }
    }

    /// SIGTERM first, so each supervisor reaps its workers; SIGKILL whatever is left after three seconds.
    static func killAll() {
        let remaining = pids.withLock { live }
        for pid in remaining { kill(pid, SIGTERM) }
        for _ in 0..<150 {
            if remaining.allSatisfy({ waitpid($0, nil, WNOHANG) != 0 }) { return }
            usleep(20_000)
        }
        for pid in remaining { kill(pid, SIGKILL) }
    }
}
