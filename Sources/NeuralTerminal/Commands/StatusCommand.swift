import ArgumentParser
import NTIPC
import NTWorkerKit

/// `neural-terminal status`: each worker's pid, uptime, restarts and memory, from the control socket.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the running appliance's workers (pid, uptime, restarts, RSS).",
        discussion: """
            Example:
              neural-terminal status --config /etc/neural-terminal/neural-terminal.toml
            """
    )

    @OptionGroup var options: ConfigOption
    @Flag(help: "Print the raw JSON.") var json = false

    func run() async throws {
        let config = try options.load()
        let socket = RunDirectory(path: config.resolvedRunDir).controlSocket
        let text: String
        do {
            text = try await IPCClient.request(path: socket, command: "status", timeout: 3)
        } catch {
            printError("the appliance is not running (or not with this config): \(error)")
            throw ExitCode(Exit.unavailable)
        }
        if json {
            print(text)
            return
        }
        let status: SupervisorStatus
        do {
            status = try SupervisorStatus.decode(text)
        } catch {
            printError("status: \(ControlAnswerError(answer: text))")
            throw ExitCode(Exit.unavailable)
        }
        print("state \(status.state)   supervisor pid \(status.pid)   uptime \(Self.duration(status.uptimeSeconds))")
        print(Self.row(["WORKER", "PID", "STATE", "UPTIME", "RESTARTS", "RSS"]))
        for worker in status.workers {
            let state = worker.ready ? "ready" : (worker.up ? "starting" : "down")
            let rss = worker.rssBytes.map { Self.megabytes($0) } ?? "-"
            print(Self.row([
                worker.role, worker.pid.map(String.init) ?? "-", state, Self.duration(worker.uptimeSeconds),
                String(worker.restarts), rss,
            ]))
        }
        if let restore = status.restore {
            print("last restore: \(restore.state.split(separator: "_").joined(separator: " ")) at \(restore.at): \(restore.detail)")
        }
    }

    static func row(_ cells: [String]) -> String {
        cells.map { $0.count >= 12 ? $0 + " " : $0 + String(repeating: " ", count: 12 - $0.count) }.joined()
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds)
        if s >= 3600 { return "\(s / 3600)h\((s % 3600) / 60)m" }
        if s >= 60 { return "\(s / 60)m\(s % 60)s" }
        return "\(s)s"
    }

    static func megabytes(_ bytes: Int) -> String {
        let tenths = bytes * 10 / (1024 * 1024)
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}
