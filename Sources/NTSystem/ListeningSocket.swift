#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CNTSupport

/// A TCP socket bound and listening, owned by the supervisor and handed to workers.
///
/// The supervisor keeps its own copy open for the life of the appliance: the kernel's accept queue then
/// outlives any one worker, so a worker restart never refuses a connection.
public struct ListeningSocket: Sendable {
    /// The descriptor, close-on-exec and at or above 10 so it never collides with the fds a child expects.
    public let fd: Int32
    /// The port actually bound (useful when 0 was asked for).
    public let port: Int
    /// The host as configured.
    public let host: String

    /// The accept queue asked for (the kernel caps it at `net.core.somaxconn`): a burst of connections beyond
    /// it waits out a SYN retransmission (1 s) before it is even accepted.
    public static let backlog: Int32 = 4096

    /// Binds and listens on `host:port` (IPv4, IPv6 or a name resolved by `getaddrinfo`).
    public static func open(host: String, port: Int, backlog: Int32 = ListeningSocket.backlog) throws(SystemError) -> ListeningSocket {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else { throw SystemError("getaddrinfo(\(host))", code: EADDRNOTAVAIL) }
        defer { freeaddrinfo(list) }

        var lastError = SystemError("bind(\(host):\(port))", code: EADDRNOTAVAIL)
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            cursor = info.pointee.ai_next
            let raw = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard raw >= 0 else { lastError = SystemError("socket"); continue }
            var one: Int32 = 1
            setsockopt(raw, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if info.pointee.ai_family == AF_INET6 {
                setsockopt(raw, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
            }
            guard bind(raw, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
                lastError = SystemError("bind(\(host):\(port))"); Glibc.close(raw); continue
            }
            guard listen(raw, backlog) == 0 else { lastError = SystemError("listen"); Glibc.close(raw); continue }
            let high = nt_dup_cloexec_above(raw, 10)
            Glibc.close(raw)
            guard high >= 0 else { throw SystemError("fcntl(F_DUPFD_CLOEXEC)") }
            return ListeningSocket(fd: high, port: Self.localPort(of: high) ?? port, host: host)
        }
        throw lastError
    }

    /// The local port a socket is bound to, or nil if it cannot be read.
    public static func localPort(of fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
        default:
            return nil
        }
    }

    /// Closes the supervisor's copy; call only when no worker will ever need this socket again.
    public func close() {
        _ = Glibc.close(fd)
    }
}
