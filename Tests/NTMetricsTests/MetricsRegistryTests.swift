import CoreMetrics
import Prometheus
import Synchronization
import Testing

@testable import NTMetrics

@Suite("MetricsRegistry records this process's metrics and renders them for the metrics worker")
struct MetricsRegistryTests {
    @Test("bootstrapping twice is harmless and returns the registry swift-metrics records into")
    func bootstrapIsIdempotent() {
        let first = MetricsRegistry.bootstrap()
        let second = MetricsRegistry.bootstrap()
        #expect(first === second)
        Counter(label: "ntmetrics_bootstrap_probe_total").increment()
        #expect(first.exposition().contains("\nntmetrics_bootstrap_probe_total 1\n"))
    }

    @Test("the exposition holds recorded metrics, described help texts and this process's process_* families")
    func expositionContents() {
        let registry = MetricsRegistry()
        registry.describe("jobs_done_total", help: "Jobs finished.")
        Counter(label: "jobs_done_total", factory: registry.factory).increment(by: 3)
        Gauge(label: "queue_length", factory: registry.factory).record(4)
        let text = registry.exposition()
        #expect(text.contains("# HELP jobs_done_total Jobs finished.\n# TYPE jobs_done_total counter\njobs_done_total 3\n"))
        #expect(text.contains("# HELP queue_length No help text was provided for queue_length.\n"))
        for name in ["process_cpu_seconds_total", "process_open_fds", "process_resident_memory_bytes",
                     "process_start_time_seconds", "process_virtual_memory_bytes"] {
            #expect(text.contains("\n# TYPE \(name) "))
        }
        #expect(!text.contains("worker="))
    }

    @Test("collect() runs the registered refreshes first, in order, on every call; exposition() alone runs none")
    func refreshesRunOnCollect() async {
        let registry = MetricsRegistry()
        let reads = Mutex(0)
        registry.refreshBeforeCollect {
            let value = reads.withLock { $0 += 1; return $0 }
            Gauge(label: "read_on_scrape", factory: registry.factory).record(value)
        }
        registry.refreshBeforeCollect {
            Gauge(label: "read_after", factory: registry.factory).record(reads.withLock { $0 } * 10)
        }
        #expect(!registry.exposition().contains("read_on_scrape"))
        #expect(await registry.collect().contains("\nread_on_scrape 1.0\n"))
        let second = await registry.collect()
        #expect(second.contains("\nread_on_scrape 2.0\n"))
        #expect(second.contains("\nread_after 20.0\n"))
    }

    @Test("timers use latency buckets from 1 ms to 60 s")
    func timerBuckets() {
        let registry = MetricsRegistry()
        Timer(label: "step_duration_seconds", factory: registry.factory).recordMilliseconds(42)
        let text = registry.exposition()
        #expect(text.contains(#"step_duration_seconds_bucket{le="0.001"} 0"#))
        #expect(text.contains(#"step_duration_seconds_bucket{le="0.05"} 1"#))
        #expect(text.contains(#"step_duration_seconds_bucket{le="60.0"} 1"#))
        #expect(text.contains("step_duration_seconds_count 1\n"))
    }
}

@Suite("promtool accepts the merged exposition without a single complaint")
struct PromtoolAcceptanceTests {
    /// Every process of the appliance, each with its own registry, recording what such a process would.
    static func applianceParts() -> [(worker: String, text: String)] {
        let supervisor = MetricsRegistry()
        for (worker, restarts) in [("web", 2), ("metrics", 0), ("maintenance", 1)] {
            let descriptor = MetricNameDescriptor(
                metricName: "neural_terminal_worker_restarts", unitName: "total", helpText: "Restarts of each worker."
            )
            supervisor.collector.makeCounter(descriptor: descriptor, labels: [("worker", worker)])
                .increment(by: Int64(restarts))
        }
        let web = MetricsRegistry()
        web.describe("neural_terminal_http_requests_total", help: "HTTP requests served.")
        web.describe("neural_terminal_http_request_duration_seconds", help: "Time to answer an HTTP request.")
        Counter(label: "neural_terminal_http_requests_total", dimensions: [("route", "/api/chat"), ("code", "200")], factory: web.factory)
            .increment(by: 7)
        Counter(label: "neural_terminal_http_requests_total", dimensions: [("route", "/a\"b\\c\nd"), ("code", "404")], factory: web.factory)
            .increment()
        Timer(label: "neural_terminal_http_request_duration_seconds", dimensions: [("route", "/api/chat")], factory: web.factory)
            .recordMilliseconds(42)
        Gauge(label: "active_streams", factory: web.factory).record(2)
        let metrics = MetricsRegistry()
        let maintenance = MetricsRegistry()
        Recorder(label: "backup_size_bytes", factory: maintenance.factory).record(1234)
        return [
            (worker: "supervisor", text: supervisor.exposition()), (worker: "web", text: web.exposition()),
            (worker: "metrics", text: metrics.exposition()), (worker: "maintenance", text: maintenance.exposition()),
        ]
    }

    @Test(
        "the promtool check itself reports lint problems, so a clean result means something",
        .enabled(if: Promtool.isAvailable, "promtool not installed at /usr/bin/promtool (Debian package prometheus)")
    )
    func promtoolFlagsProblems() throws {
        let result = try Promtool.check("# TYPE jobs counter\njobs 1\n")
        #expect(result.status != 0)
        #expect(result.output.contains("no help text"))
    }

    @Test(
        "real swift-prometheus registries plus process metrics, merged, lint clean",
        .enabled(if: Promtool.isAvailable, "promtool not installed at /usr/bin/promtool (Debian package prometheus)")
    )
    func mergedApplianceExpositionIsClean() throws {
        let merged = ExpositionMerger.merge(Self.applianceParts())
        let result = try Promtool.check(merged)
        #expect(result.status == 0, "promtool exit status; exposition:\n\(merged)")
        #expect(result.output.isEmpty, "promtool said: \(result.output)")
        #expect(merged.contains(#"neural_terminal_worker_restarts_total{worker="web"} 2"#))
        #expect(merged.contains(#"process_open_fds{worker="maintenance"} "#))
        #expect(merged.components(separatedBy: "# TYPE process_open_fds gauge").count == 2)
    }

    @Test(
        "hand-written parts with escapes, summaries, timestamps and a type conflict still merge lint clean",
        .enabled(if: Promtool.isAvailable, "promtool not installed at /usr/bin/promtool (Debian package prometheus)")
    )
    func mergedOddPartsAreClean() throws {
        let odd = #"""
            # HELP gc_pause_seconds GC pauses.\nSecond line with \\ backslash.
            # TYPE gc_pause_seconds summary
            gc_pause_seconds{quantile="0.5"} 0.01
            gc_pause_seconds{quantile="0.99"} NaN
            gc_pause_seconds_sum 1
            gc_pause_seconds_count 9
            # TYPE process_open_fds counter
            process_open_fds 1
            temperature_celsius{room="a \"big\" one"} -3.5e1 1700000000000
            """#
        let merged = ExpositionMerger.merge(Self.applianceParts() + [(worker: "odd", text: odd)])
        let result = try Promtool.check(merged)
        #expect(result.status == 0, "promtool exit status; exposition:\n\(merged)")
        #expect(result.output.isEmpty, "promtool said: \(result.output)")
        #expect(!merged.contains(#"process_open_fds{worker="odd"}"#))
        #expect(merged.contains(#"temperature_celsius{worker="odd",room="a \"big\" one"} -3.5e1 1700000000000"#))
    }
}
