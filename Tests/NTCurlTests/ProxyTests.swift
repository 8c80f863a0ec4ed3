import Glibc
import NTCurl
import Testing

extension NTCurlSpec {
    /// libcurl reads the proxy variables itself; nothing in NTCurl may switch that off (ADR 0005).
    @Suite("Proxy settings come from the environment")
    struct Proxies {
        let server = TestServer.shared
        let client = CurlClient.shared

        /// Runs `body` with the given variables set, restoring the previous values afterwards.
        func with<T>(_ variables: [String: String], _ body: () async throws -> T) async rethrows -> T {
            let saved = variables.keys.map { ($0, getenv($0).map { String(cString: $0) }) }
            for (name, value) in variables { setenv(name, value, 1) }
            defer { for (name, value) in saved { if let value { setenv(name, value, 1) } else { unsetenv(name) } } }
            return try await body()
        }

        @Test("http_proxy sends the request through the proxy, in absolute form, without resolving the host")
        func httpProxy() async throws {
            let response = try await with(["http_proxy": "http://127.0.0.1:\(server.port)"]) {
                try await client.fetch(CurlRequest(url: "http://upstream.test/echo"), maxBytes: 1 << 16)
            }
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self).contains(#""path": "http://upstream.test/echo""#))
        }

        @Test("no_proxy exempts the hosts it names")
        func noProxy() async throws {
            let variables = ["http_proxy": "http://127.0.0.1:\(closedPort())", "no_proxy": "127.0.0.1"]
            let response = try await with(variables) {
                try await client.fetch(CurlRequest(url: server.url("/status?code=204")), maxBytes: 100)
            }
            #expect(response.status == 204)
        }
    }
}
