import NTCurl
import Testing

extension NTCurlSpec {
    @Suite("Many streams on one thread")
    struct Load {
        let server = TestServer.shared

        @Test("200 concurrent streams all complete, in order, on the client's curl threads (no thread per stream)")
        func twoHundredStreams() async throws {
            let client = CurlClient()
            _ = try await client.fetch(CurlRequest(url: server.url("/echo")), maxBytes: 1 << 16)
            // Threads started by the curl thread (such as resolver threads) inherit its name, so counting
            // "nt-curl" threads catches any thread libcurl would start per stream; other suites' threads are ignored.
            let curlThreadsBefore = threadCount(named: "nt-curl")
            let threadsBefore = threadCount()
            let expected = (0..<10).map { "data: \($0)\n\n" }.joined()
            let started = ContinuousClock.now
            let sampler = Task {
                var peak = (curl: 0, all: 0)
                while !Task.isCancelled {
                    peak = (max(peak.curl, threadCount(named: "nt-curl")), max(peak.all, threadCount()))
                    try? await Task.sleep(for: .milliseconds(20))
                }
                return peak
            }
            let transcripts = await withTaskGroup(of: Transcript.self) { group in
                for _ in 0..<200 {
                    group.addTask { await Transcript(client.stream(CurlRequest(url: server.url("/stream?chunks=10&delay=0.05")))) }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let elapsed = ContinuousClock.now - started
            sampler.cancel()
            let peak = await sampler.value
            print("200 streams of 10 chunks 50 ms apart: \(elapsed); threads \(threadsBefore) before, peak \(peak.all)")
            #expect(transcripts.count == 200)
            #expect(transcripts.allSatisfy { $0.error == nil && $0.status == 200 && $0.text == expected })
            #expect(peak.curl <= curlThreadsBefore + 1, "no thread per stream")
            #expect(elapsed < .seconds(30), "200 streams of 0.5 s took \(elapsed)")
        }

        @Test(
            "the first streams to a fresh host run side by side, none queued behind another",
            arguments: ["http", "https"])
        func coldStart(scheme: String) async {
            let secure = scheme == "https"
            if secure && server.tlsPort == 0 { return }  // no HTTPS twin without the openssl tool
            let client = CurlClient()
            let path = "/stream?chunks=10&delay=0.1"
            let request = CurlRequest(url: secure ? server.tlsURL(path) : server.url(path), caFile: secure ? server.certificate : nil)
            let started = ContinuousClock.now
            let transcripts = await withTaskGroup(of: Transcript.self) { group in
                for _ in 0..<20 { group.addTask { await Transcript(client.stream(request)) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let elapsed = ContinuousClock.now - started
            #expect(transcripts.allSatisfy { $0.error == nil && $0.bodyChunks.count > 0 })
            #expect(elapsed < .seconds(10), "20 streams of 1 s each took \(elapsed): they did not run concurrently")
        }

        @Test("2,000 requests (some closing their connection, some abandoned mid-stream) leak nothing")
        func noLeaks() async throws {
            let client = CurlClient()
            /// Every 4th request closes its connection; every 10th is a stream abandoned after its first chunk.
            func one(_ index: Int) async throws {
                if index % 10 == 9 {
                    for await event in client.stream(CurlRequest(url: server.url("/stream?chunks=3&delay=0.01"))) {
                        if case .body = event { break }
                    }
                    return
                }
                var headers = [("X-Index", "\(index)")]
                if index % 4 == 3 { headers.append(("Connection", "close")) }
                let request = CurlRequest(
                    url: server.url("/echo?n=\(index)"), method: index % 2 == 0 ? "GET" : "POST", headers: headers,
                    body: index % 2 == 0 ? nil : [UInt8](repeating: 7, count: 300))
                let response = try await client.fetch(request, maxBytes: 1 << 16)
                #expect(response.status == 200)
            }
            func batch(_ count: Int) async throws {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<10 {
                        group.addTask { for index in stride(from: worker, to: count, by: 10) { try await one(index) } }
                    }
                    try await group.waitForAll()
                }
            }
            try await batch(500)  // warm-up: connection cache, allocator arenas
            let before = residentBytes()
            let started = ContinuousClock.now
            try await batch(2000)
            let after = residentBytes()
            print("2,000 requests in \(ContinuousClock.now - started): RSS \(before >> 10) KiB before, \(after >> 10) KiB after")
            #expect(await settles(client, to: 0), "every easy handle is freed")
            #expect(after - before < 16 << 20, "RSS is process-wide: the bound leaves room for suites running alongside")
        }

        @Test("an open, idle stream holds one easy handle and little memory, freed when the stream is dropped")
        func memoryPerIdleStream() async throws {
            let client = CurlClient()
            _ = try await client.fetch(CurlRequest(url: server.url("/echo")), maxBytes: 1 << 16)
            let before = residentBytes()
            let count = 300
            let request = CurlRequest(url: server.url("/first-byte?delay=30"), firstByteTimeout: .seconds(60))
            var iterators = (0..<count).map { _ in client.stream(request).makeAsyncIterator() }
            for index in iterators.indices {
                guard case .head = await iterators[index].next() else { Issue.record("no head"); return }
            }
            print("\(count) idle open streams: \((residentBytes() - before) / count) bytes of RSS each")
            #expect(client.activeTransfers == count)
            iterators.removeAll()
            #expect(await settles(client, to: 0))
        }

        /// Waits up to a second for `client.activeTransfers` to reach `value` (handles are freed on the curl
        /// thread just after the `.end` is delivered).
        func settles(_ client: CurlClient, to value: Int) async -> Bool {
            for _ in 0..<200 {
                if client.activeTransfers == value { return true }
                try? await Task.sleep(for: .milliseconds(5))
            }
            return false
        }
    }
}
