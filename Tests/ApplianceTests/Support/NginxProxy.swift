import Foundation

/// Debian's nginx (`/usr/sbin/nginx`) as a signing-in reverse proxy in front of one appliance, set up the way
/// self-hosters put oauth2-proxy, Authelia or `forward_auth` in front of an app.
///
/// Every request is first checked (`auth_request`) by a small auth service — a second server block of the same
/// nginx, on its own loopback port, that knows a few Basic credentials and answers 200 with the person's name in
/// `X-User`, or 401. nginx then forwards the request to the appliance with that name in `Remote-User`
/// (`proxy_set_header` replaces whatever the client sent under that name). It connects to the appliance from
/// ``proxyAddress``, so the appliance tells it apart from a test client that connects directly (from 127.0.0.1).
/// Everything it writes stays in its own folder. Always `stop()` it. (It keeps its master process: with
/// `master_process off` nginx blocks SIGTERM and never sees it.)
final class NginxProxy: @unchecked Sendable {
    static let binary = "/usr/sbin/nginx"
    /// The loopback address nginx connects to the appliance from (`proxy_bind`): what `server.trusted_proxies`
    /// lists in the tests.
    static let proxyAddress = "127.0.0.2"

    let directory: URL
    /// Where clients reach the appliance through the proxy.
    let port: Int
    /// The auth service's port.
    let authPort: Int
    let process = Process()

    /// `Authorization` for HTTP Basic with `user` and `password`.
    static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// - Parameters:
    ///   - appliancePort: the appliance's web port on 127.0.0.1.
    ///   - people: Basic credentials (`user`, `password`) the auth service accepts, and the name it reports for
    ///     each (what the identity provider says the person is called; any text, even one that is no account name).
    init(appliancePort: Int, people: [(user: String, password: String, name: String)]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw Timeout(description: "\(Self.binary) is missing: scripts/install-deps.sh installs Debian's nginx package")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-nginx-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("temp"), withIntermediateDirectories: true)
        port = try Appliance.freePort()
        authPort = try Appliance.freePort()
        let dir = directory.path
        let map = people.map { "        \"\(Self.basic($0.user, $0.password))\" \"\($0.name)\";" }.joined(separator: "\n")
        let config = """
            daemon off;
            worker_processes 1;
            pid \(dir)/nginx.pid;
            error_log \(dir)/error.log warn;
            events { worker_connections 64; }
            http {
                access_log \(dir)/access.log;
                client_body_temp_path \(dir)/temp/body;
                proxy_temp_path \(dir)/temp/proxy;
                fastcgi_temp_path \(dir)/temp/fastcgi;
                uwsgi_temp_path \(dir)/temp/uwsgi;
                scgi_temp_path \(dir)/temp/scgi;

                # The identity provider: who a Basic credential belongs to.
                map $http_authorization $known_person {
                    default "";
            \(map)
                }
                server {
                    listen 127.0.0.1:\(authPort);
                    location = /auth {
                        if ($known_person = "") { return 401; }
                        add_header X-User $known_person always;
                        return 200;
                    }
                }

                # The reverse proxy in front of the appliance.
                server {
                    listen 127.0.0.1:\(port);
                    location = /_auth {
                        internal;
                        proxy_pass http://127.0.0.1:\(authPort)/auth;
                        proxy_pass_request_body off;
                        proxy_set_header Content-Length "";
                    }
                    location / {
                        auth_request /_auth;
                        auth_request_set $signed_in $upstream_http_x_user;
                        proxy_pass http://127.0.0.1:\(appliancePort);
                        proxy_bind \(Self.proxyAddress);
                        proxy_http_version 1.1;
                        proxy_buffering off;
                        proxy_set_header Host $http_host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_set_header Remote-User $signed_in;
                    }
                }
            }
            """
        try config.write(toFile: "\(dir)/nginx.conf", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        // -e: the error log from the first line on (before the config is read nginx would open /var/log/nginx).
        process.arguments = ["-p", dir, "-c", "\(dir)/nginx.conf", "-e", "\(dir)/error.log"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        LeftoverProcesses.track(process.processIdentifier)
    }

    /// What nginx logged (warnings and errors), for failure messages.
    var errorLog: String {
        (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
    }

    /// Waits until the auth service answers (a request without credentials gets its 401).
    func waitUntilReady() async throws {
        do {
            try await eventually(timeout: 10, "nginx listening") {
                guard self.process.isRunning else { return false }
                return try await RawHTTP.send("GET", port: self.authPort, path: "/auth", timeout: 2).status == 401
            }
        } catch {
            throw Timeout(description: "\(error); nginx \(process.isRunning ? "runs" : "exited"), its error log: \(errorLog)")
        }
    }

    /// A request through the proxy, signed in as `user` with `password` when given.
    func send(_ method: String, _ path: String, as credentials: (user: String, password: String)?, json: String? = nil,
              headers: [String: String] = [:]) async throws -> RawHTTP.Answer {
        var all = headers
        if let credentials { all["Authorization"] = Self.basic(credentials.user, credentials.password) }
        return try await RawHTTP.send(method, port: port, path: path, json: json, headers: all)
    }

    /// The origin browsers see the appliance at through the proxy.
    var origin: String { "http://127.0.0.1:\(port)" }

    func stop() {
        process.stopServer(removing: directory)
    }
}
