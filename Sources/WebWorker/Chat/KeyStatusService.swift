import FoundationEssentials
import NTChat
import NTWorkerKit
import ServiceLifecycle

/// Runs the web worker's ``KeyStatusMonitor`` and publishes its verdict to the metrics worker.
///
/// The check runs here, not in the metrics worker, because this process already holds the upstream client,
/// its TLS settings and the key; the metrics worker only asks for the cached verdict (`upstream-key` on this
/// worker's private socket), so `/ready` never waits for the upstream. A reload re-checks within a second.
struct KeyStatusService: Service {
    /// The IPC command answered with `{"state": …, "summary": …}`: the verdict and the sentence `/ready` shows.
    static let command = "upstream-key"

    let monitor: KeyStatusMonitor

    init(monitor: KeyStatusMonitor, context: WorkerContext) {
        self.monitor = monitor
        context.commands.register(Self.command) { _ in Self.json(monitor.current) }
        context.config.observe { _ in monitor.refreshSoon() }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown { await monitor.run() }
    }

    static func json(_ status: UpstreamKeyStatus) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let published = Published(state: status.state.rawValue, summary: status.summary)
        return (try? encoder.encode(published)).map { String(decoding: $0, as: UTF8.self) } ?? #"{"state":"unknown"}"#
    }

    /// What the metrics worker reads (see its `KeyVerdict`).
    struct Published: Encodable {
        let state: String
        let summary: String
    }
}
