import Testing

@testable import NTMetrics

/// Several appliances on one PostgreSQL database serve their metrics apart; the `instance` label tells which
/// appliance a sample is from.
@Suite("ExpositionMerger labels every sample with its instance")
struct ExpositionInstanceTests {
    static let web = """
        # HELP http_requests_total Requests served.
        # TYPE http_requests_total counter
        http_requests_total{route="/api",code="200"} 10
        # TYPE process_open_fds gauge
        process_open_fds 12

        """
    static let supervisor = """
        # TYPE worker_restarts_total counter
        worker_restarts_total{worker="web"} 2
        # TYPE federated gauge
        federated{instance="elsewhere"} 1

        """

    @Test("every sample gets instance first, before its worker and its own labels")
    func instanceComesFirst() {
        let merged = ExpositionMerger.merge([(worker: "web", text: Self.web), (worker: "supervisor", text: Self.supervisor)], instance: "x")
        #expect(merged.contains("\nhttp_requests_total{instance=\"x\",worker=\"web\",route=\"/api\",code=\"200\"} 10\n"), "\(merged)")
        #expect(merged.contains("\nprocess_open_fds{instance=\"x\",worker=\"web\"} 12\n"))
        #expect(merged.contains("\nworker_restarts_total{instance=\"x\",worker=\"web\"} 2\n"), "a worker label of its own is kept")
        let samples = merged.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(samples.count == 4)
        #expect(samples.allSatisfy { $0.components(separatedBy: "instance=").count == 2 }, "one instance label each: \(samples)")
    }

    @Test("a sample with an instance label of its own keeps it")
    func anInstanceLabelIsKept() {
        let merged = ExpositionMerger.merge([(worker: "supervisor", text: Self.supervisor)], instance: "x")
        #expect(merged.contains("\nfederated{worker=\"supervisor\",instance=\"elsewhere\"} 1\n"), "\(merged)")
        #expect(!merged.contains("instance=\"x\",worker=\"supervisor\",instance="))
    }

    @Test("an instance name is escaped as a label value")
    func instanceIsEscaped() {
        let merged = ExpositionMerger.merge([(worker: "web", text: "# TYPE up gauge\nup 1\n")], instance: "a\"b\\c")
        #expect(merged.contains(#"up{instance="a\"b\\c",worker="web"} 1"#), "\(merged)")
    }

    @Test("without an instance (one appliance) no sample gets the label")
    func noInstanceNoLabel() {
        let merged = ExpositionMerger.merge([(worker: "web", text: Self.web)])
        #expect(!merged.contains("instance="))
        #expect(merged.contains("\nprocess_open_fds{worker=\"web\"} 12\n"))
        #expect(merged == ExpositionMerger.merge([(worker: "web", text: Self.web)], instance: nil))
    }
}
