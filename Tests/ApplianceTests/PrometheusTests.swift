import Foundation
import Testing

/// The shipped dashboard and alerting rules against a real Prometheus scraping a real appliance: after a small
/// workload, every panel's query parses and returns data, and every alert's expression loads and evaluates.
/// Prometheus missing is a failure, not a skip: `make install` puts Debian's `prometheus` package in place.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct PrometheusTests {
    static let dashboard = "etc/grafana/neural-terminal.json"
    static let rules = "etc/prometheus/neural-terminal.rules.yml"

    @Test func everyDashboardPanelReturnsDataAndEveryAlertEvaluates() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: PrometheusServer.binary), "install Debian's prometheus (make install)")
        let board = try #require(try JSONSerialization.jsonObject(with: Data(RepositoryFile.text(Self.dashboard).utf8)) as? [String: Any])
        let queries = Self.panelQueries(board)
        #expect(queries.count > 30, "the panels' queries were read: \(queries.count)")

        let workload = try await MetricsWorkload.start()
        let prometheus: PrometheusServer
        do {
            prometheus = try PrometheusServer(scraping: workload.app.metricsPort, rules: RepositoryFile.path(Self.rules))
        } catch {
            await workload.stop()
            throw error
        }
        defer { prometheus.stop() }
        do {
            try await check(board: board, queries: queries, workload: workload, prometheus: prometheus)
        } catch {
            Issue.record("Prometheus' log: \(prometheus.log)")
            await workload.stop()
            throw error
        }
        await workload.stop()
    }

    /// What Grafana's import needs: a schema version, the data source asked for on import and kept as a variable
    /// every panel and query uses, unique panel ids, each panel placed.
    @Test func theDashboardImportsWithItsDataSourceAsAVariable() throws {
        let board = try #require(try JSONSerialization.jsonObject(with: Data(RepositoryFile.text(Self.dashboard).utf8)) as? [String: Any])
        #expect((board["schemaVersion"] as? Int ?? 0) >= 36)
        #expect(board["uid"] as? String == "neural-terminal" && board["id"] is NSNull)
        let inputs = board["__inputs"] as? [[String: Any]] ?? []
        #expect(inputs.contains { $0["name"] as? String == "DS_PROMETHEUS" && $0["pluginId"] as? String == "prometheus" })
        let variables = (board["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        let source = variables.first { $0["name"] as? String == "datasource" }
        #expect(source?["type"] as? String == "datasource" && source?["query"] as? String == "prometheus")
        #expect((source?["current"] as? [String: Any])?["value"] as? String == "${DS_PROMETHEUS}")
        var ids = Set<Int>()
        func walk(_ panels: [[String: Any]]) {
            for panel in panels {
                let title = panel["title"] as? String ?? "?"
                #expect(ids.insert(panel["id"] as? Int ?? -1).inserted, "\(title): duplicate or missing id")
                #expect(panel["gridPos"] is [String: Any], "\(title): no gridPos")
                let targets = panel["targets"] as? [[String: Any]] ?? []
                for source in [panel["datasource"]] + targets.map({ $0["datasource"] }) where !targets.isEmpty {
                    #expect((source as? [String: Any])?["uid"] as? String == "${datasource}", "\(title): data source \(String(describing: source))")
                }
                walk(panel["panels"] as? [[String: Any]] ?? [])
            }
        }
        walk(board["panels"] as? [[String: Any]] ?? [])
    }

    private func check(board: [String: Any], queries: [(panel: String, expr: String)], workload: MetricsWorkload,
                       prometheus: PrometheusServer) async throws {
        try await prometheus.waitUntilReady()
        let up = "up{job=\"\(PrometheusServer.job)\"}"
        try await eventually(timeout: 20, "the first scrape") { try await prometheus.query("\(up) == 1").values == [1] }
        try await workload.run(between: {
            try await eventually(timeout: 20, "the first answers scraped") {
                try await !prometheus.query("neural_terminal_chat_ttft_seconds_count").values.isEmpty
            }
        })
        // Two more scrapes after the workload, so every rate sees its last step.
        let done = Date().timeIntervalSince1970
        try await eventually(timeout: 20, "two scrapes after the workload") {
            try await (prometheus.query("timestamp(\(up))").values.first ?? 0) >= done + 2
        }

        for (panel, expr) in queries {
            let query = Self.substitute(expr, instance: prometheus.target)
            let answer = try await prometheus.query(query)
            #expect(answer.status == "success", "\(panel): \(query): \(answer.error ?? "")")
            #expect(answer.values.contains { $0.isFinite }, "\(panel): \(query) returned no data: \(answer.values)")
        }
        for variable in Self.labelValuesVariables(board) {
            let answer = try await prometheus.get("/api/v1/series?match[]=\(Self.substitute(variable.selector, instance: prometheus.target).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
            let series = answer.object?["data"] as? [[String: String]] ?? []
            #expect(series.contains { $0[variable.label] != nil }, "variable \(variable.label): no \(variable.selector) series with that label")
        }

        let file = try RepositoryFile.text(Self.rules)
        let alerts = file.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("- alert: ") }
        let loaded = try await prometheus.rules()
        #expect(loaded.count == alerts.count && alerts.count >= 10, "Prometheus loaded \(loaded.map(\.name)) of \(alerts.count) alerts")
        for rule in loaded {
            #expect(rule.health == "ok", "\(rule.name): \(rule.health) \(rule.error)")
            let answer = try await prometheus.query(rule.query)
            #expect(answer.status == "success", "\(rule.name): \(rule.query): \(answer.error ?? "")")
        }
    }

    /// Every panel's queries (rows' panels included), with the panel's title.
    static func panelQueries(_ board: [String: Any]) -> [(panel: String, expr: String)] {
        func walk(_ panels: [[String: Any]]) -> [(String, String)] {
            panels.flatMap { panel -> [(String, String)] in
                let title = panel["title"] as? String ?? "?"
                let own = (panel["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String }.map { (title, $0) }
                return own + walk(panel["panels"] as? [[String: Any]] ?? [])
            }
        }
        return walk(board["panels"] as? [[String: Any]] ?? [])
    }

    /// The dashboard's `label_values(selector, label)` variables.
    static func labelValuesVariables(_ board: [String: Any]) -> [(selector: String, label: String)] {
        let list = (board["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        return list.compactMap { variable in
            guard variable["type"] as? String == "query", let definition = variable["definition"] as? String,
                  definition.hasPrefix("label_values("), let comma = definition.lastIndex(of: ",") else { return nil }
            let selector = definition[definition.index(definition.startIndex, offsetBy: 13)..<comma]
            let label = definition[definition.index(after: comma)...].dropLast().trimmingCharacters(in: .whitespaces)
            return (String(selector), label)
        }
    }

    /// The query as Grafana sends it: its variables replaced by what this test's Prometheus and appliance use.
    static func substitute(_ expr: String, instance: String) -> String {
        var text = expr
        let values = [
            ("__rate_interval", "1m"), ("__interval", "15s"), ("__range", "1h"), ("job", PrometheusServer.job), ("instance", instance),
        ]
        for (name, value) in values {
            text = text.replacingOccurrences(of: "${\(name)}", with: value).replacingOccurrences(of: "$\(name)", with: value)
        }
        #expect(!text.contains("$"), "a variable the test does not know in \(expr)")
        return text
    }
}
