import Foundation
import NTCurl
import Testing

extension NTCurlSpec {
    @Suite("Requests and responses")
    struct Requests {
        let server = TestServer.shared
        let client = CurlClient()

        struct Echo: Decodable {
            var method: String
            var body: [UInt8]
            var length: Int
            var headers: [[String]]
            func header(_ name: String) -> String? {
                headers.first { $0[0].lowercased() == name.lowercased() }?[1]
            }
        }

        func echo(_ request: CurlRequest) async throws -> (status: Int, echo: Echo) {
            let response = try await client.fetch(request, maxBytes: 64 << 20)
            return (response.status, try JSONDecoder().decode(Echo.self, from: Data(response.body)))
        }

        @Test("the linked libcurl is the vendored minimal 7.88.1 build with OpenSSL, not Debian's")
        func vendoredVersion() {
            #expect(CurlClient.version.contains("libcurl/7.88.1"))
            #expect(CurlClient.version.contains("OpenSSL"))
            #expect(!CurlClient.version.contains("GnuTLS"))
        }

        @Test("a GET carries the caller's headers, the neural-terminal User-Agent and no Expect header")
        func getWithHeaders() async throws {
            let request = CurlRequest(
                url: server.url("/echo?x=1"),
                headers: [("Authorization", "Bearer sk-or-v1-test"), ("X-Request-ID", "req-42"), ("X-Empty", "")])
            let (status, echo) = try await echo(request)
            #expect(status == 200)
            #expect(echo.method == "GET")
            #expect(echo.header("Authorization") == "Bearer sk-or-v1-test")
            #expect(echo.header("X-Request-ID") == "req-42")
            #expect(echo.header("X-Empty") == "")
            #expect(echo.header("User-Agent") == "neural-terminal")
            #expect(echo.header("Accept-Encoding")?.contains("gzip") == true)
            #expect(echo.header("Expect") == nil)
        }

        @Test("a 1 KiB receive buffer delivers a large body whole and in order, in chunks of at most 1 KiB")
        func receiveBufferSize() async throws {
            func chunkSizes(_ size: Int?) async -> (sizes: [Int], inOrder: Bool) {
                var request = CurlRequest(url: server.url("/big?bytes=\(256 << 10)&id=rb\(UInt64.random(in: 0...UInt64.max))"))
                request.receiveBufferSize = size
                var sizes: [Int] = []
                var inOrder = true
                for await event in client.stream(request) {
                    guard case .body(let bytes) = event else { continue }
                    let received = sizes.reduce(0, +)
                    inOrder = inOrder && bytes.first == UInt8(received % 251) && bytes.last == UInt8((received + bytes.count - 1) % 251)
                    sizes.append(bytes.count)
                }
                return (sizes, inOrder)
            }
            let small = await chunkSizes(1024)
            #expect(small.sizes.reduce(0, +) == 256 << 10 && small.inOrder)
            #expect(small.sizes.max() ?? 0 <= 1024)
            let standard = await chunkSizes(nil)
            #expect(standard.sizes.reduce(0, +) == 256 << 10 && standard.inOrder)
            #expect(standard.sizes.max() ?? 0 > 1024, "libcurl's own buffer is larger")
        }

        @Test("a POST sends its binary body byte for byte with its content type")
        func postWithBody() async throws {
            let body = Array(0...255).map(UInt8.init) + Array(#"{"model":"x","stream":true}"#.utf8)
            let request = CurlRequest(
                url: server.url("/echo"), method: "POST", headers: [("Content-Type", "application/json")], body: body)
            let (status, echo) = try await echo(request)
            #expect(status == 200)
            #expect(echo.method == "POST")
            #expect(echo.body == body)
            #expect(echo.header("Content-Length") == "\(body.count)")
            #expect(echo.header("Content-Type") == "application/json")
        }

        @Test("a large POST is sent without waiting for 100-continue, and no form content type is invented")
        func largePost() async throws {
            let body = [UInt8](repeating: 65, count: 2 << 20)
            let started = ContinuousClock.now
            let (_, echo) = try await echo(CurlRequest(url: server.url("/echo?summary=1"), method: "POST", body: body))
            #expect(echo.length == body.count)
            #expect(echo.header("Expect") == nil)
            #expect(echo.header("Content-Type") == nil)
            #expect(ContinuousClock.now - started < .milliseconds(500))
        }

        @Test("other methods are sent as given, with or without a body")
        func customMethods() async throws {
            #expect(try await echo(CurlRequest(url: server.url("/echo"), method: "PUT", body: [1, 2])).echo.body == [1, 2])
            #expect(try await echo(CurlRequest(url: server.url("/echo"), method: "DELETE")).echo.method == "DELETE")
        }

        @Test("status and headers of the response arrive in order, repeated fields included")
        func statusAndHeaders() async throws {
            let transcript = await Transcript(client.stream(CurlRequest(url: server.url("/status?code=404"))))
            #expect(transcript.shape == "head body* end")
            #expect(transcript.status == 404)
            #expect(transcript.header("x-test") == "yes")
            #expect(transcript.headers.filter { $0.0 == "X-Multi" }.map(\.1) == ["a", "b"])
            #expect(transcript.text == "status 404")
            #expect(transcript.error == nil)
        }

        @Test("interim 1xx responses are skipped: only the final head is delivered")
        func interimResponses() async throws {
            let transcript = await Transcript(client.stream(CurlRequest(url: server.url("/interim"))))
            #expect(transcript.status == 200)
            #expect(transcript.header("X-Final") == "yes")
            #expect(transcript.header("Link") == nil)
            #expect(transcript.text == "final")
        }

        @Test("redirects are not followed: the 3xx is the response")
        func redirectsNotFollowed() async throws {
            let response = try await client.fetch(CurlRequest(url: server.url("/redirect")), maxBytes: 100)
            #expect(response.status == 302)
            #expect(CurlHeaders.value(of: "location", in: response.headers) == "/echo")
            #expect(String(decoding: response.body, as: UTF8.self) == "moved")
        }

        @Test("a streamed response arrives in several chunks, in order, with exactly one end")
        func streaming() async throws {
            let url = server.url("/stream?chunks=6&delay=0.05")
            let transcript = await Transcript(client.stream(CurlRequest(url: url)))
            #expect(transcript.shape == "head body* end")
            #expect(transcript.endCount == 1)
            #expect(transcript.bodyChunks.count >= 4)
            #expect(transcript.text == (0..<6).map { "data: \($0)\n\n" }.joined())
            #expect(transcript.header("Content-Type") == "text/event-stream")
        }

        @Test("sequential requests reuse one keep-alive connection")
        func connectionReuse() async throws {
            _ = try await server.get("/stats", client: client)
            let before = Int(try await server.get("/stats", client: client).text)!
            for _ in 0..<10 { _ = try await client.fetch(CurlRequest(url: server.url("/echo")), maxBytes: 1 << 16) }
            let after = Int(try await server.get("/stats", client: client).text)!
            #expect(after == before)
        }

        @Test("a body longer than maxBytes fails the fetch with CURLE_FILESIZE_EXCEEDED")
        func maxBytes() async throws {
            let error = await #expect(throws: CurlError.self) {
                try await client.fetch(CurlRequest(url: server.url("/big?bytes=100000")), maxBytes: 1000)
            }
            #expect(error?.kind == .transport)
            #expect(error?.curlCode == 63)
        }

        @Test("a header with a line break is refused before anything is sent")
        func headerInjection() async throws {
            let request = CurlRequest(url: server.url("/echo"), headers: [("X-Evil", "a\r\nX-Injected: 1")])
            let transcript = await Transcript(client.stream(request))
            #expect(transcript.shape == "end")
            #expect(transcript.error?.kind == .transport)
        }
    }
}
