import Foundation

/// Debian's HAProxy (`/usr/sbin/haproxy`) as the load balancer in front of several appliances, in the foreground on a
/// free loopback port with its config and log in a folder of its own. Always `stop()` it.
///
/// Round robin without session affinity, so consecutive requests go to different appliances. Each appliance is
/// health-checked with `GET /ready` on its metrics port every 500 ms; two failures take it out of the pool, one
/// success puts it back. When no appliance passes (PostgreSQL is down, all are draining), requests still go to them
/// (`appliances_unchecked`), so a client gets the appliance's own 503 with its reason rather than HAProxy's page.
/// Every answer names the appliance that gave it in `X-Served-By`. The stats page (CSV) says which are up.
final class TestHAProxy: @unchecked Sendable {
    static let binary = "/usr/sbin/haproxy"

    /// One appliance behind the balancer: its name (the server's, and `X-Served-By`), its web and metrics ports.
    struct Backend: Sendable {
        let name: String
        let webPort: Int
        let metricsPort: Int
    }

    let directory: URL
    /// Where clients reach the appliances through the balancer.
    let port: Int
    /// The stats page's port (`/stats;csv`).
    let statsPort: Int
    let process = Process()

    init(backends: [Backend]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw Timeout(description: "\(Self.binary) is missing: scripts/install-deps.sh installs Debian's haproxy package")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-haproxy-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try Appliance.freePort()
        statsPort = try Appliance.freePort()
        let checked = backends.map {
            "    server \($0.name) 127.0.0.1:\($0.webPort) check port \($0.metricsPort) inter 500 fall 2 rise 1"
        }.joined(separator: "\n")
        let unchecked = backends.map { "    server \($0.name) 127.0.0.1:\($0.webPort)" }.joined(separator: "\n")
        let config = """
            global
                log stderr format raw local0 notice
                maxconn 1024

            defaults
                mode http
                log global
                option dontlognull
                option forwardfor
                timeout connect 2s
                timeout client 60s
                timeout server 60s
                timeout http-request 10s
                timeout queue 5s
                # A connection refused by an appliance that just died is tried once more, on another one.
                retries 1
                option redispatch 1

            frontend web
                bind 127.0.0.1:\(port)
                http-response set-header X-Served-By %[srv_name]
                use_backend appliances if { nbsrv(appliances) gt 0 }
                default_backend appliances_unchecked

            backend appliances
                balance roundrobin
                option httpchk
                http-check send meth GET uri /ready ver HTTP/1.1 hdr Host 127.0.0.1
                http-check expect status 200
            \(checked)

            backend appliances_unchecked
                balance roundrobin
            \(unchecked)

            listen stats
                bind 127.0.0.1:\(statsPort)
                stats enable
                stats uri /stats
                stats refresh 0

            """
        let configPath = directory.appendingPathComponent("haproxy.cfg").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        // -db: in the foreground, not a daemon (and no master process): SIGTERM stops it at once.
        try process.runServer(Self.binary, ["-db", "-f", configPath], log: directory.appendingPathComponent("haproxy.log").path)
    }

    /// What HAProxy logged (servers going up and down, alerts), for failure messages.
    var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("haproxy.log"), encoding: .utf8)) ?? ""
    }

    /// The state of each server of the checked pool as the stats page says (`UP`, `DOWN`, `UP 1/2`, …).
    func serverStates() async throws -> [String: String] {
        let csv = try await RawHTTP.send("GET", port: statsPort, path: "/stats;csv", timeout: 3).body
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, let status = header.firstIndex(of: "status") else { return [:] }
        var states: [String: String] = [:]
        for fields in lines.dropFirst() where fields.count > status && fields[0] == "appliances" {
            if !["FRONTEND", "BACKEND"].contains(fields[1]) { states[fields[1]] = fields[status] }
        }
        return states
    }

    /// Waits until exactly `servers` are `UP` in the checked pool and every other one is `DOWN`.
    func waitUntil(up servers: Set<String>, timeout: Double = 10) async throws {
        do {
            try await eventually(timeout: timeout, "HAProxy seeing \(servers.sorted()) up and no other") {
                guard self.process.isRunning else { return true }
                let states = try await self.serverStates()
                return !states.isEmpty && states.allSatisfy { servers.contains($0.key) ? $0.value == "UP" : $0.value == "DOWN" }
            }
            guard process.isRunning else { throw Timeout(description: "HAProxy exited (\(process.terminationStatus))") }
        } catch {
            let states = (try? await serverStates()) ?? [:]
            throw Timeout(description: "\(error); states \(states), its log: \(log)")
        }
    }

    /// Stops HAProxy (SIGTERM: a hard stop) and reaps it.
    func stop() {
        process.stopServer(removing: directory)
    }
}
