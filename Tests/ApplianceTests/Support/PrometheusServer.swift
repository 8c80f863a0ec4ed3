import Foundation

/// Debian's Prometheus (`/usr/bin/prometheus`) on a free loopback port with its own storage folder, scraping one
/// appliance's `/metrics` every second as job `neural-terminal` and loading the shipped alerting rules. Always
/// `stop()` it.
final class PrometheusServer: @unchecked Sendable {
    static let binary = "/usr/bin/prometheus"
    static let job = "neural-terminal"

    let directory: URL
    let port: Int
    let target: String
    let process = Process()

    init(scraping metricsPort: Int, rules: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-prometheus-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try Appliance.freePort()
        target = "127.0.0.1:\(metricsPort)"
        let config = """
            global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
            rule_files: ["\(rules)"]
            scrape_configs:
              - job_name: \(Self.job)
                static_configs: [{targets: ["\(target)"]}]
            """
        let configPath = directory.appendingPathComponent("prometheus.yml").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        try process.runServer(Self.binary, [
            "--config.file=\(configPath)", "--storage.tsdb.path=\(directory.path)/data",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ], log: directory.appendingPathComponent("prometheus.log").path)
    }

    /// What Prometheus logged (warnings and errors), for failure messages.
    var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("prometheus.log"), encoding: .utf8)) ?? ""
    }

    func waitUntilReady() async throws {
        try await eventually(timeout: 30, "Prometheus ready") { try await self.get("/-/ready").status == 200 }
    }

    func get(_ path: String) async throws -> RawHTTP.Answer {
        try await RawHTTP.send("GET", port: port, path: path, timeout: 10)
    }

    /// `GET /api/v1/query` at the current time: the answer's `status`, its `error` if any, and the sample values
    /// of the vector it returned (a scalar counts as one value).
    func query(_ expression: String) async throws -> (status: String, error: String?, values: [Double]) {
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let object = try await get("/api/v1/query?query=\(encoded)").object ?? [:]
        let data = object["data"] as? [String: Any] ?? [:]
        var values: [Double] = []
        if data["resultType"] as? String == "scalar", let pair = data["result"] as? [Any], let text = pair.last as? String {
            values.append(Double(text) ?? .nan)
        }
        for series in data["result"] as? [[String: Any]] ?? [] {
            if let pair = series["value"] as? [Any], let text = pair.last as? String { values.append(Double(text) ?? .nan) }
        }
        return (object["status"] as? String ?? "no answer", object["error"] as? String, values)
    }

    /// The alerting rules Prometheus loaded: name, expression, health and last error.
    func rules() async throws -> [(name: String, query: String, health: String, error: String)] {
        let object = try await get("/api/v1/rules?type=alert").object ?? [:]
        let groups = (object["data"] as? [String: Any])?["groups"] as? [[String: Any]] ?? []
        return groups.flatMap { $0["rules"] as? [[String: Any]] ?? [] }.map {
            ($0["name"] as? String ?? "", $0["query"] as? String ?? "", $0["health"] as? String ?? "", $0["lastError"] as? String ?? "")
        }
    }

    func stop() {
        process.stopServer(removing: directory)
    }
}
