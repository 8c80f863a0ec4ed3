import Foundation

/// A small blocking HTTP/1.1 client over a TCP socket for tests: any method, a JSON body, the whole answer read
/// until the server closes (`Connection: close`), chunked bodies decoded. Runs on its own thread so a long
/// stream never blocks Swift's cooperative pool.
enum RawHTTP {
    struct Answer: Sendable {
        let status: Int
        let headers: [String: String]
        let body: String

        /// The SSE events of a `text/event-stream` body as (event, data) pairs; comments are skipped.
        var events: [(event: String, data: String)] {
            body.components(separatedBy: "\n\n").compactMap { block in
                var name = "message"
                var data: [String] = []
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                    if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
                }
                return data.isEmpty ? nil : (name, data.joined(separator: "\n"))
            }
        }

        func json(_ event: String) -> [[String: Any]] {
            events.filter { $0.event == event }.compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.data.utf8)) as? [String: Any]
            }
        }

        var object: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] }
    }

    static func send(_ method: String, port: Int, path: String, json: String? = nil, headers: [String: String] = [:], timeout: Double = 30) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    try blocking(method, port: port, path: path, body: json.map { Array($0.utf8) }, contentType: "application/json",
                                 headers: headers, timeout: timeout)
                })
            }
        }
    }

    /// Sends raw bytes (a compressed archive, say) as the body.
    static func send(
        _ method: String, port: Int, path: String, body: [UInt8], contentType: String, headers: [String: String] = [:], timeout: Double = 30
    ) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    try blocking(method, port: port, path: path, body: body, contentType: contentType, headers: headers, timeout: timeout)
                })
            }
        }
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    static func blocking(
        _ method: String, port: Int, path: String, body payload: [UInt8]?, contentType: String, headers: [String: String], timeout: Double
    ) throws -> Answer {
        let body = payload ?? []
        var head = "\(method) \(path) HTTP/1.1\r\n" + (headers["Host"] == nil ? "Host: 127.0.0.1:\(port)\r\n" : "") + "Connection: close\r\n"
        if payload != nil { head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n" }
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        return try exchange(port: port, request: Array((head + "\r\n").utf8) + body, timeout: timeout)
    }

    /// Sends `request` exactly as given (a chunked body, bytes a client library would refuse to send) and reads
    /// the answer until the server closes. `halfClose` shuts the sending side after the bytes, as a client that
    /// gives up mid-body does.
    /// `pauseAfter` sends only that many bytes first and the rest `pauseSeconds` later, as a slow client would.
    static func sendRaw(
        port: Int, request: [UInt8], halfClose: Bool = false, pauseAfter: Int? = nil, pauseSeconds: Double = 0.5, timeout: Double = 30
    ) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    try exchange(port: port, request: request, halfClose: halfClose, pauseAfter: pauseAfter, pauseSeconds: pauseSeconds, timeout: timeout)
                })
            }
        }
    }

    static func exchange(
        port: Int, request: [UInt8], halfClose: Bool = false, pauseAfter: Int? = nil, pauseSeconds: Double = 0, timeout: Double
    ) throws -> Answer {
        let fd = try connected(port: port, timeout: timeout)
        defer { close(fd) }
        // send(MSG_NOSIGNAL): a server that answers and closes before reading everything must not SIGPIPE the tests.
        let first = min(pauseAfter ?? request.count, request.count)
        _ = request[..<first].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if first < request.count {
            Thread.sleep(forTimeInterval: pauseSeconds)
            _ = request[first...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        if halfClose { shutdown(fd, Int32(SHUT_WR)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            received.append(contentsOf: buffer[0..<n])
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw Failure(description: "no HTTP answer: \(text.prefix(200))") }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var payload = String(text[split.upperBound...])
        if fields["transfer-encoding"]?.lowercased() == "chunked" { payload = dechunk(payload) }
        return Answer(status: status, headers: fields, body: payload)
    }

    /// A TCP socket connected to `port` on loopback, reads timing out after `timeout` seconds; the caller closes it.
    static func connected(port: Int, timeout: Double) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            close(fd)
            throw Failure(description: "connect to \(port) failed")
        }
        return fd
    }

    /// Sends `request`, reads the answer until `enough` says so of what arrived (raw, still chunked), then closes
    /// the connection mid-answer, as a client that gives up on a stream does; returns what arrived.
    static func sendAndLeave(port: Int, request: [UInt8], timeout: Double = 30, until enough: @escaping @Sendable (String) -> Bool) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    let fd = try connected(port: port, timeout: timeout)
                    defer { close(fd) }
                    _ = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    var received: [UInt8] = []
                    var buffer = [UInt8](repeating: 0, count: 65536)
                    while !enough(String(decoding: received, as: UTF8.self)) {
                        let n = read(fd, &buffer, buffer.count)
                        if n <= 0 { throw Failure(description: "the answer ended before the client left: \(received.count) bytes") }
                        received.append(contentsOf: buffer[0..<n])
                    }
                    return String(decoding: received, as: UTF8.self)
                })
            }
        }
    }

    static func dechunk(_ text: String) -> String {
        var bytes = Array(text.utf8)[...]
        var out: [UInt8] = []
        while let lineEnd = bytes.firstIndex(of: 13), lineEnd + 1 < bytes.endIndex {
            let sizeText = String(decoding: bytes[bytes.startIndex..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText, radix: 16), size > 0 else { break }
            let start = lineEnd + 2
            let end = min(start + size, bytes.endIndex)
            out.append(contentsOf: bytes[start..<end])
            bytes = bytes[min(end + 2, bytes.endIndex)...]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
