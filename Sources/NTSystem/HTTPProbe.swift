#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 GET over plain TCP that returns the status code.
///
/// For health checks only: in a distroless container there is no curl, and the check must not depend on the
/// HTTP stack it is checking.
public enum HTTPProbe {
    public struct ProbeError: Error, CustomStringConvertible {
        public let description: String
    }

    /// What a probe received: the status code, the raw header block and the body (not de-chunked).
    public struct Answer: Sendable {
        public let status: Int
        public let head: String
        public let body: String

        /// The value of header `name` (case-insensitive), if present.
        public func header(_ name: String) -> String? {
            for line in head.split(separator: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                if line[..<colon].lowercased() == name.lowercased() {
                    return String(line[line.index(after: colon)...]).trimmingCharacters(in: " ")
                }
            }
            return nil
        }
    }

    /// GETs `url` (`http://host:port/path`) and returns the response status.
    public static func get(_ url: String, timeoutSeconds: Double) throws -> Int {
        try fetch(url, timeoutSeconds: timeoutSeconds).status
    }

    /// GETs `url` with extra request `headers` and returns status, headers and body (read until the server closes).
    public static func fetch(_ url: String, headers: [String: String] = [:], timeoutSeconds: Double) throws -> Answer {
        guard url.hasPrefix("http://") else { throw ProbeError(description: "only http:// URLs are supported: \(url)") }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count).isEmpty ? "/" : String(rest.dropFirst(authority.count))
        var host = String(authority)
        var port = "80"
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            host = String(authority[..<colon])
            port = String(authority[authority.index(after: colon)...])
        }
        host = host.trimmingCharacters(in: "[]")

        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, port, &hints, &list) == 0, let info = list else {
            throw ProbeError(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ProbeError(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeoutSeconds), tv_usec: Int((timeoutSeconds - Double(Int(timeoutSeconds))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            throw ProbeError(description: "cannot connect to \(host):\(port): \(String(cString: strerror(errno)))")
        }
        var request = "GET \(path) HTTP/1.1\r\nHost: \(authority)\r\nConnection: close\r\nUser-Agent: neural-terminal-healthcheck\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        try? FileDescriptorIO.writeAll(fd, Array(request.utf8))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while received.count < 64 << 20 {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            received.append(contentsOf: buffer[0..<n])
        }
        guard received.count > 12 else { throw ProbeError(description: "no answer from \(host):\(port) within \(timeoutSeconds) s") }
        let text = String(decoding: received, as: UTF8.self)
        let statusLine = text.prefix { $0 != "\r" }
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]) else {
            throw ProbeError(description: "not an HTTP answer from \(host):\(port)")
        }
        let split = text.firstRange(of: "\r\n\r\n")
        let head = split.map { String(text[..<$0.lowerBound]) } ?? text
        let body = split.map { String(text[$0.upperBound...]) } ?? ""
        return Answer(status: code, head: head, body: body)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
