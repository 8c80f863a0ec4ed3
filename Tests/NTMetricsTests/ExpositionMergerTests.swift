import Testing

@testable import NTMetrics

@Suite("ExpositionMerger serves every process's metrics as one exposition")
struct ExpositionMergerTests {
    @Test("a family present in several parts appears once, with every part's samples labelled by worker")
    func overlappingFamiliesAppearOnce() {
        let web = """
            # HELP http_requests_total Requests served.
            # TYPE http_requests_total counter
            http_requests_total{route="/api",code="200"} 10
            # HELP process_open_fds Number of open file descriptors.
            # TYPE process_open_fds gauge
            process_open_fds 12

            """
        let maintenance = """
            # TYPE process_open_fds gauge
            process_open_fds 7
            # TYPE backups_total counter
            backups_total 3

            """
        let merged = ExpositionMerger.merge([(worker: "web", text: web), (worker: "maintenance", text: maintenance)])
        #expect(merged == """
            # HELP backups_total No help text was provided for backups_total.
            # TYPE backups_total counter
            backups_total{worker="maintenance"} 3
            # HELP http_requests_total Requests served.
            # TYPE http_requests_total counter
            http_requests_total{worker="web",route="/api",code="200"} 10
            # HELP process_open_fds Number of open file descriptors.
            # TYPE process_open_fds gauge
            process_open_fds{worker="web"} 12
            process_open_fds{worker="maintenance"} 7

            """)
    }

    @Test("a sample that already carries a worker label keeps it; the others get the part's name")
    func existingWorkerLabelIsKept() {
        let supervisor = """
            # HELP worker_restarts_total Restarts of each worker.
            # TYPE worker_restarts_total counter
            worker_restarts_total{worker="web"} 2
            worker_restarts_total{worker="maintenance"} 0
            # TYPE supervisor_uptime_seconds gauge
            supervisor_uptime_seconds 5
            """
        let merged = ExpositionMerger.merge([(worker: "supervisor", text: supervisor)])
        #expect(merged.contains("\nworker_restarts_total{worker=\"web\"} 2\n"))
        #expect(merged.contains("\nworker_restarts_total{worker=\"maintenance\"} 0\n"))
        #expect(merged.contains("\nsupervisor_uptime_seconds{worker=\"supervisor\"} 5\n"))
        #expect(!merged.contains("worker=\"supervisor\",worker="))
    }

    @Test("escapes in label values and help texts survive the merge, and so does the worker name's")
    func escapingIsPreserved() {
        let part = #"""
            # HELP chat_model_info Models in use.\nOne series per "model" \\ provider.
            # TYPE chat_model_info gauge
            chat_model_info{model="a\"b\\c\nd",provider="x"} 1
            """#
        let merged = ExpositionMerger.merge([(worker: #"we"b"#, text: part)])
        #expect(merged == #"""
            # HELP chat_model_info Models in use.\nOne series per "model" \\ provider.
            # TYPE chat_model_info gauge
            chat_model_info{worker="we\"b",model="a\"b\\c\nd",provider="x"} 1

            """#)
    }

    @Test("histogram and summary samples stay in their family, with worker before le and quantile")
    func histogramsAndSummariesStayIntact() throws {
        func histogram(_ count: Int) -> String {
            """
            # HELP request_duration_seconds Time to answer.
            # TYPE request_duration_seconds histogram
            request_duration_seconds_bucket{le="0.1"} \(count)
            request_duration_seconds_bucket{le="+Inf"} \(count)
            request_duration_seconds_sum 0.5
            request_duration_seconds_count \(count)
            # TYPE gc_pause_seconds summary
            gc_pause_seconds{quantile="0.5"} 0.01
            gc_pause_seconds_sum 1
            gc_pause_seconds_count \(count)
            """
        }
        let merged = ExpositionMerger.merge([(worker: "web", text: histogram(4)), (worker: "metrics", text: histogram(1))])
        let lines = merged.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("# TYPE") } == [
            "# TYPE gc_pause_seconds summary", "# TYPE request_duration_seconds histogram",
        ])
        let histogramStart = try #require(lines.firstIndex(of: "# TYPE request_duration_seconds histogram"))
        #expect(Array(lines[(histogramStart + 1)...]) == [
            #"request_duration_seconds_bucket{worker="web",le="0.1"} 4"#,
            #"request_duration_seconds_bucket{worker="web",le="+Inf"} 4"#,
            #"request_duration_seconds_sum{worker="web"} 0.5"#,
            #"request_duration_seconds_count{worker="web"} 4"#,
            #"request_duration_seconds_bucket{worker="metrics",le="0.1"} 1"#,
            #"request_duration_seconds_bucket{worker="metrics",le="+Inf"} 1"#,
            #"request_duration_seconds_sum{worker="metrics"} 0.5"#,
            #"request_duration_seconds_count{worker="metrics"} 1"#,
        ])
        #expect(merged.contains(#"gc_pause_seconds{worker="metrics",quantile="0.5"} 0.01"#))
    }

    @Test("when parts disagree on a family's type, the first part's type and samples win")
    func typeConflictKeepsFirst() {
        let merged = ExpositionMerger.merge([
            (worker: "web", text: "# TYPE queue_depth gauge\nqueue_depth 3\n"),
            (worker: "maintenance", text: "# TYPE queue_depth counter\nqueue_depth 5\n"),
        ])
        #expect(merged.contains("# TYPE queue_depth gauge\nqueue_depth{worker=\"web\"} 3\n"))
        #expect(!merged.contains("counter"))
        #expect(!merged.contains("maintenance"))
    }

    @Test("quoted label values holding braces, commas and `worker=` do not hide or fake a worker label")
    func labelValuesAreSkippedWhenLookingForWorker() {
        let part = #"""
            # HELP http_requests_total Requests served.
            # TYPE http_requests_total counter
            http_requests_total{route="/a},worker="x"",code="200"} 1
            http_requests_total{code="404",worker="web"} 2
            http_requests_total{ route = "/{b}" } 3 1700000000000
            """#
        let merged = ExpositionMerger.merge([(worker: "supervisor", text: part)])
        #expect(merged == #"""
            # HELP http_requests_total Requests served.
            # TYPE http_requests_total counter
            http_requests_total{worker="supervisor",route="/a},worker="x"",code="200"} 1
            http_requests_total{code="404",worker="web"} 2
            http_requests_total{worker="supervisor", route = "/{b}" } 3 1700000000000

            """#)
    }

    @Test("a series that appears twice is kept once, the first time")
    func duplicateSeriesAreDropped() {
        let merged = ExpositionMerger.merge([
            (worker: "supervisor", text: "# TYPE up_workers gauge\nup_workers{worker=\"web\"} 1\n"),
            (worker: "web", text: "# TYPE up_workers gauge\nup_workers 0\n"),
        ])
        #expect(merged.components(separatedBy: "up_workers{worker=\"web\"}").count == 2)
        #expect(merged.contains("up_workers{worker=\"web\"} 1\n"))
    }

    @Test("empty parts, blank lines, comments and CRLF line ends are harmless")
    func emptyAndOddInput() {
        #expect(ExpositionMerger.merge([]) == "")
        #expect(ExpositionMerger.merge([(worker: "web", text: "")]) == "")
        #expect(ExpositionMerger.merge([(worker: "web", text: "\n\n# just a comment\n")]) == "")
        let merged = ExpositionMerger.merge([(worker: "web", text: "# TYPE a_total counter\r\na_total 1\r\n")])
        #expect(merged.hasSuffix("a_total{worker=\"web\"} 1\n"))
    }

    @Test("families are sorted by name, so equal input always gives the same bytes")
    func outputIsSortedAndStable() {
        let parts = [(worker: "web", text: "zeta 1\nalpha 2\nmid 3\n")]
        let merged = ExpositionMerger.merge(parts)
        let types = merged.split(separator: "\n").filter { $0.hasPrefix("# TYPE") }
        #expect(types == ["# TYPE alpha untyped", "# TYPE mid untyped", "# TYPE zeta untyped"])
        #expect(ExpositionMerger.merge(parts) == merged)
    }
}
