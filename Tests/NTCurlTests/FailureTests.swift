import Glibc
import NTCurl
import Testing

extension NTCurlSpec {
    @Suite("Failures and timeouts, each reported with its own kind")
    struct Failures {
        let server = TestServer.shared
        let client = CurlClient()

        /// Streams `request` and returns the transcript and how long it took.
        func run(_ request: CurlRequest) async -> (Transcript, Duration) {
            let started = ContinuousClock.now
            let transcript = await Transcript(client.stream(request))
            return (transcript, ContinuousClock.now - started)
        }

        @Test("a refused connection ends at once with a connect error")
        func connectionRefused() async {
            let (transcript, elapsed) = await run(CurlRequest(url: "http://127.0.0.1:\(closedPort())/"))
            #expect(transcript.shape == "end")
            #expect(transcript.error?.kind == .connect)
            #expect(transcript.error?.curlCode == 7)
            #expect(elapsed < .seconds(5))
        }

        @Test("a handshake that never completes ends with timeoutConnect")
        func connectTimeout() async {
            // A listener with backlog 0 whose only queue slot is taken: Linux drops further SYNs.
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(filler); close(listener) }
            var address = loopback(port: 0)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    _ = bind(listener, $0, length)
                    _ = listen(listener, 0)
                    _ = getsockname(listener, $0, &length)
                    _ = connect(filler, $0, length)
                }
            }
            let port = Int(UInt16(bigEndian: address.sin_port))
            let request = CurlRequest(url: "http://127.0.0.1:\(port)/", connectTimeout: .milliseconds(250))
            let (transcript, elapsed) = await run(request)
            #expect(transcript.error?.kind == .timeoutConnect)
            #expect(transcript.error?.curlCode == 28)
            #expect(elapsed >= .milliseconds(240) && elapsed < .seconds(10))
        }

        @Test("headers without a body byte in time end with timeoutFirstByte, after the head")
        func firstByteTimeoutAfterHead() async {
            let request = CurlRequest(url: server.url("/first-byte?delay=3"), firstByteTimeout: .milliseconds(300))
            let (transcript, elapsed) = await run(request)
            #expect(transcript.shape == "head end")
            #expect(transcript.status == 200)
            #expect(transcript.error?.kind == .timeoutFirstByte)
            #expect(elapsed >= .milliseconds(290) && elapsed < .seconds(10))
        }

        @Test("a server that never answers ends with timeoutFirstByte and no head")
        func firstByteTimeoutSilentServer() async {
            let request = CurlRequest(url: server.url("/hang"), firstByteTimeout: .milliseconds(300))
            let (transcript, elapsed) = await run(request)
            #expect(transcript.shape == "end")
            #expect(transcript.error?.kind == .timeoutFirstByte)
            #expect(elapsed >= .milliseconds(290) && elapsed < .seconds(10))
        }

        @Test("silence between chunks ends with timeoutIdle, after the bytes that did arrive")
        func idleTimeout() async {
            let request = CurlRequest(
                url: server.url("/idle?stall=3"), firstByteTimeout: .seconds(5), idleTimeout: .milliseconds(300))
            let (transcript, elapsed) = await run(request)
            #expect(transcript.shape == "head body* end")
            #expect(transcript.text == "first")
            #expect(transcript.error?.kind == .timeoutIdle)
            #expect(elapsed >= .milliseconds(290) && elapsed < .seconds(10))
        }

        @Test("a steady stream that outlasts the total limit ends with timeoutTotal")
        func totalTimeout() async {
            let request = CurlRequest(
                url: server.url("/stream?chunks=100&delay=0.05"), idleTimeout: .seconds(5),
                totalTimeout: .milliseconds(400))
            let (transcript, elapsed) = await run(request)
            #expect(transcript.bodyChunks.count >= 3)
            #expect(transcript.error?.kind == .timeoutTotal)
            #expect(transcript.error?.curlCode == 28)
            #expect(elapsed >= .milliseconds(390) && elapsed < .seconds(10))
        }

        @Test("a server that does not speak TLS fails an https request with a tls error")
        func tlsHandshakeFailure() async {
            let (transcript, _) = await run(CurlRequest(url: "https://127.0.0.1:\(server.port)/echo"))
            #expect(transcript.shape == "end")
            #expect(transcript.error?.kind == .tls)
        }

        @Test(
            "HTTPS works with the certificate given as caFile, and an untrusted one fails with tls",
            .enabled(if: TestServer.shared.tlsPort != 0, "needs the openssl tool"))
        func httpsWithCAFile() async throws {
            let trusted = CurlRequest(url: server.tlsURL("/status?code=201"), caFile: server.certificate)
            let response = try await client.fetch(trusted, maxBytes: 1000)
            #expect(response.status == 201)
            #expect(String(decoding: response.body, as: UTF8.self) == "status 201")

            let (untrusted, _) = await run(CurlRequest(url: server.tlsURL("/status")))
            #expect(untrusted.error?.kind == .tls)
            #expect(untrusted.error?.curlCode == 60)
        }

        @Test("a missing caFile fails with tls instead of falling back to the default bundle")
        func missingCAFile() async {
            let request = CurlRequest(url: "https://127.0.0.1:\(server.port)/", caFile: "/nonexistent/ca.pem")
            let (transcript, _) = await run(request)
            #expect(transcript.error?.kind == .tls)
        }
    }
}
