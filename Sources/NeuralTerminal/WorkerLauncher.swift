import MaintenanceWorker
import MetricsWorker
import NTWorkerKit
import WebWorker
#if canImport(Glibc)
import Glibc
#endif

/// Maps a role to its services and runs it under ``WorkerRuntime``.
enum WorkerLauncher {
    /// Fault injection for the crash-loop test: `NEURAL_TERMINAL_FAULT=crash-at-start:<role>` makes that worker exit
    /// with status 70 as soon as it starts. Documented in docs/configuration.md; harmless when unset.
    static let faultVariable = "NEURAL_TERMINAL_FAULT"

    static func run(_ role: WorkerRole) async throws {
        if ProcessEnvironment.current[faultVariable] == "crash-at-start:\(role.rawValue)" {
            printError("fault injected: \(role.rawValue) worker crashes at start")
            exit(70)
        }
        try await WorkerRuntime.run(role: role) { context in
            switch role {
            case .web: return try await WebWorker.services(context: context)
            case .metrics: return try await MetricsWorker.services(context: context)
            case .maintenance: return try await MaintenanceWorker.services(context: context)
            }
        }
    }
}
