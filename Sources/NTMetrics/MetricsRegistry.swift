#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CoreMetrics
import Prometheus
import Synchronization

/// This process's metrics: a swift-prometheus registry behind the swift-metrics API, plus the `process_*` family.
///
/// Call ``bootstrap()`` once at process start; from then on `Counter`, `Gauge`, `Timer`, `Recorder` and `Meter`
/// from swift-metrics record into it, and ``exposition()`` renders everything for the metrics worker to merge.
public final class MetricsRegistry: Sendable {
    /// Histogram buckets for latencies, in seconds: 1 ms … 60 s. Swift-metrics `Timer`s use them by default,
    /// which suits everything from a database write (milliseconds) to a whole streamed answer (a minute).
    public static let latencyBuckets: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]

    /// The swift-prometheus registry everything is recorded into. Use it directly for metrics that deserve a
    /// `# HELP` text (`collector.makeCounter(descriptor:labels:)`), or use ``describe(_:help:)``.
    public let collector: PrometheusCollectorRegistry
    /// The swift-metrics factory writing into ``collector``, with ``latencyBuckets`` for every `Timer`.
    /// Pass it as `factory:` to record into this registry without bootstrapping (tests, libraries).
    public let factory: PrometheusMetricsFactory
    private let helpTexts = Mutex<[String: String]>([:])
    private let refreshers = Mutex<[@Sendable () async -> Void]>([])

    /// The registry installed by ``bootstrap()``, if any.
    private static let bootstrapped = Mutex<MetricsRegistry?>(nil)

    /// Creates a registry that is NOT installed as the process-wide swift-metrics backend.
    ///
    /// Useful in tests and wherever several independent registries are needed; production code should call
    /// ``bootstrap()`` instead.
    public init(collector: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.collector = collector
        var factory = PrometheusMetricsFactory(registry: collector)
        factory.defaultDurationHistogramBuckets = Self.latencyBuckets
        self.factory = factory
    }

    /// Installs a registry as this process's swift-metrics backend and returns it.
    ///
    /// `MetricsSystem.bootstrap` may run only once per process and traps on a second call; this method guards
    /// against that, so calling it again (from another module or test) returns the registry already installed.
    /// It cannot see a backend installed by someone calling `MetricsSystem.bootstrap` directly: don't.
    public static func bootstrap() -> MetricsRegistry {
        bootstrapped.withLock { installed in
            if let installed { return installed }
            let registry = MetricsRegistry()
            MetricsSystem.bootstrap(registry.factory)
            installed = registry
            return registry
        }
    }

    /// Records the `# HELP` text for the metric family `name`, spelled as it appears in the exposition (after
    /// swift-prometheus has replaced characters such as `.` that metric names cannot hold).
    ///
    /// swift-metrics has no notion of help text, so metrics made through it carry none; a description given here
    /// appears in ``exposition()``. Help text given to ``collector`` directly takes precedence.
    public func describe(_ name: String, help: String) {
        helpTexts.withLock { $0[name] = help }
    }

    /// Registers work that brings gauges up to date before each ``collect()``: values that are read rather than
    /// pushed (spend today, a setting reloaded by SIGHUP, a state that changes with time alone), so a scrape never
    /// shows a stale value and the process keeps no timer of its own for them. `refresh` runs on every scrape:
    /// keep it cheap (a read, not a scan).
    public func refreshBeforeCollect(_ refresh: @escaping @Sendable () async -> Void) {
        refreshers.withLock { $0.append(refresh) }
    }

    /// Runs every refresh registered with ``refreshBeforeCollect(_:)``, in order, then renders ``exposition()``.
    /// This is what a scrape asks each process for.
    public func collect() async -> String {
        for refresh in refreshers.withLock({ $0 }) { await refresh() }
        return exposition()
    }

    /// This process's metrics as a Prometheus text exposition (format 0.0.4), ready to hand to the metrics worker.
    ///
    /// It holds everything recorded in ``collector`` plus the `process_*` families of this process
    /// (see ``ProcessMetrics``; left out in the unlikely case `/proc` cannot be read), sorted by family name,
    /// each family with `# HELP` (a stock sentence when none was given) and `# TYPE`. It carries no `worker`
    /// label: ``ExpositionMerger`` adds that.
    public func exposition() -> String {
        var families = ExpositionFamilies()
        families.add(collector.emitToString(), worker: nil)
        if let stats = ProcessStats.read(pid: getpid()) {
            families.add(ProcessMetrics.exposition(for: stats), worker: nil)
        }
        families.supplyHelp(helpTexts.withLock { $0 })
        return families.render()
    }
}
