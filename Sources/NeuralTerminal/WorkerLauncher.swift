import Dispatch
import MaintenanceWorker
import MetricsWorker
import NTWorkerKit
import Synchronization
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
        if let rate = leakRate(ProcessEnvironment.current[faultVariable], role: role) {
            printError("fault injected: \(role.rawValue) worker leaks \(rate) MB per second")
            startLeaking(megabytesPerSecond: rate)
        }
        try await WorkerRuntime.run(role: role) { context in
            switch role {
            case .web: return try await WebWorker.services(context: context)
            case .metrics: return try await MetricsWorker.services(context: context)
            case .maintenance: return try await MaintenanceWorker.services(context: context)
            }
        }
    }

    /// `leak:<role>:<MB per second>` for this role → the rate; anything else → nil.
    static func leakRate(_ fault: String?, role: WorkerRole) -> Int? {
        guard let fault else { return nil }
        let parts = fault.split(separator: ":")
        guard parts.count == 3, parts[0] == "leak", parts[1] == role.rawValue, let rate = Int(parts[2]), rate > 0 else { return nil }
        return rate
    }

    /// Allocates and touches `megabytesPerSecond` every second, in ten slices, and never frees it: a steady leak
    /// for the memory watchdog test.
    static func startLeaking(megabytesPerSecond: Int) {
        DispatchQueue.global(qos: .utility).async {
            let slice = megabytesPerSecond * 1_048_576 / 10
            // Kept where the optimizer cannot see them unused: a release build removed a malloc whose block was
            // only written, and the fault leaked nothing.
            var blocks: [UnsafeMutableRawPointer] = []
            while true {
                if let block = malloc(slice) {
                    memset(block, 0x5a, slice)
                    blocks.append(block)
                    withExtendedLifetime(blocks) { leakedBlocks.store(blocks.count, ordering: .relaxed) }
                }
                usleep(100_000)
            }
        }
    }

    /// How many blocks the leak fault holds (read by nothing; it keeps the allocations observable).
    static let leakedBlocks = Atomic<Int>(0)
}
