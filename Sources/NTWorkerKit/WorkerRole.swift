#if canImport(Glibc)
import Glibc
#endif

/// The three kinds of worker the supervisor runs; the raw value is the hidden `worker <role>` argument, the
/// `worker` field of every log line and the `worker` label of every metric.
public enum WorkerRole: String, CaseIterable, Sendable, Codable {
    case web
    case metrics
    case maintenance
}

/// Where each process of one appliance finds the others: files in the run directory.
public struct RunDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The supervisor's control socket (`status`, `metrics`, restart requests).
    public var controlSocket: String { path + "/control.sock" }

    /// A worker's private socket; the pid is part of the name because during a rolling restart two workers of
    /// the same role run side by side.
    public func workerSocket(role: WorkerRole, pid: Int32) -> String {
        path + "/worker-\(role.rawValue)-\(pid).sock"
    }

    /// Removes the sockets of workers that no longer run (`isAlive` false for their pid): those of workers that
    /// were killed, and all of them after the supervisor itself was. Returns how many it removed.
    @discardableResult
    public func removeStaleWorkerSockets(isAlive: (Int32) -> Bool) -> Int {
        guard let directory = opendir(path) else { return 0 }
        defer { closedir(directory) }
        var removed = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasPrefix("worker-"), name.hasSuffix(".sock"),
                  let pid = name.dropLast(5).split(separator: "-").last.flatMap({ Int32($0) }), !isAlive(pid) else { continue }
            if unlink(path + "/" + name) == 0 { removed += 1 }
        }
        return removed
    }
}

/// Environment variables the supervisor sets for its workers (internal; not for operators).
public enum WorkerEnvironment {
    /// The supervisor's pid, so a worker notices a parent that died before it could ask for a death signal.
    public static let supervisorPID = "NEURAL_TERMINAL_SUPERVISOR_PID"
    /// The descriptor on which the resolved configuration arrives as JSON.
    public static let configFD: Int32 = 4
    /// The descriptor of the inherited listening socket (web and metrics workers).
    public static let listenFD: Int32 = 3
}
