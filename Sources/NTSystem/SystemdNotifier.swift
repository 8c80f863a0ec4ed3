#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Tells systemd what the appliance is doing (`Type=notify`): the notification protocol of sd_notify(3), written
/// by hand because libsystemd would end the fully static binary. One datagram per message, `KEY=value` lines, to
/// the socket named by `$NOTIFY_SOCKET`: a file-system path, or an abstract socket when the name starts with `@`.
///
/// Without `$NOTIFY_SOCKET` (a container, a terminal) the notifier is inactive: ``send(_:)`` returns at once and
/// callers should skip building their messages (check ``isActive``). Datagrams are sent without blocking, so a
/// service manager that does not read never stalls the caller; such a message is lost and reported as an error.
public final class SystemdNotifier: Sendable {
    /// Where the datagrams go.
    public enum Address: Equatable, Sendable {
        /// A socket file (`NOTIFY_SOCKET=/run/systemd/notify`).
        case path(String)
        /// A Linux abstract socket, its name without the leading `@` (`NOTIFY_SOCKET=@/org/freedesktop/…`).
        case abstract(String)
    }

    /// One field of a notification.
    public enum Field: Equatable, Sendable {
        /// `READY=1`: start-up or a reload is complete.
        case ready
        /// `RELOADING=1` with `MONOTONIC_USEC=`: a reload begins; systemd waits for the next ``ready``.
        case reloading(monotonicMicroseconds: UInt64)
        /// `STOPPING=1`: a shutdown has begun.
        case stopping
        /// `WATCHDOG=1`: the service is alive (see ``watchdogPingInterval``).
        case watchdog
        /// `STATUS=`: one line for `systemctl status` (line breaks become spaces).
        case status(String)

        var line: String {
            switch self {
            case .ready: "READY=1"
            case .reloading(let microseconds): "RELOADING=1\nMONOTONIC_USEC=\(microseconds)"
            case .stopping: "STOPPING=1"
            case .watchdog: "WATCHDOG=1"
            case .status(let text): "STATUS=" + String(text.map { $0.isNewline ? " " : $0 })
            }
        }
    }

    /// The variables of the protocol: a process that must not notify (a worker) is started without them.
    public static let environmentKeys = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"]

    /// The socket notifications go to, or nil when inactive.
    public let address: Address?
    /// Why `$NOTIFY_SOCKET` was set but is not used (not an absolute path nor `@name`, too long), for the log.
    public let problem: String?
    /// How often to send ``Field/watchdog``: half of `$WATCHDOG_USEC`, or nil when systemd watches nothing,
    /// or watches another process (`$WATCHDOG_PID` set to another pid).
    public let watchdogPingInterval: Duration?
    private let fd: Int32

    /// Reads the protocol's variables from `environment`; `pid` is this process (compared with `WATCHDOG_PID`).
    public init(environment: [String: String], pid: Int32 = getpid()) {
        let (address, problem) = Self.parse(environment["NOTIFY_SOCKET"])
        var fd: Int32 = -1
        var failure = problem
        if address != nil {
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd < 0 { failure = "\(SystemError("socket(AF_UNIX, SOCK_DGRAM)"))" }
        }
        self.fd = fd
        self.address = fd >= 0 ? address : nil
        self.problem = failure
        self.watchdogPingInterval = fd >= 0 ? Self.watchdogInterval(environment, pid: pid) : nil
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Whether messages go anywhere; when false, ``send(_:)`` does nothing.
    public var isActive: Bool { address != nil }

    /// Sends `fields` as one datagram; does nothing when inactive.
    public func send(_ fields: [Field]) throws(SystemError) {
        guard let address, !fields.isEmpty else { return }
        let bytes = Array(Self.message(fields).utf8)
        var storage = sockaddr_un()
        let length = Self.fill(&storage, with: address)
        let sent = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                sendto(fd, bytes, bytes.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL), socketAddress, length)
            }
        }
        guard sent == bytes.count else { throw SystemError("sendto(NOTIFY_SOCKET)") }
    }

    /// The datagram's text: one `KEY=value` line per field.
    public static func message(_ fields: [Field]) -> String {
        fields.map(\.line).joined(separator: "\n") + "\n"
    }

    /// `CLOCK_MONOTONIC` in microseconds: the clock `MONOTONIC_USEC` is read on (not Swift's `ContinuousClock`,
    /// which is `CLOCK_BOOTTIME` on Linux).
    public static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }

    /// The address named by `$NOTIFY_SOCKET`, or why it cannot be used (nil and nil when unset or empty).
    static func parse(_ value: String?) -> (Address?, String?) {
        guard let value, !value.isEmpty else { return (nil, nil) }
        let limit = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1
        if value.hasPrefix("@") {
            let name = String(value.dropFirst())
            guard !name.isEmpty, name.utf8.count <= limit else {
                return (nil, "NOTIFY_SOCKET '\(value)' is not an abstract socket name of 1 to \(limit) bytes")
            }
            return (.abstract(name), nil)
        }
        guard value.hasPrefix("/"), value.utf8.count <= limit else {
            return (nil, "NOTIFY_SOCKET '\(value)' is neither an absolute path of at most \(limit) bytes nor '@' and an abstract socket name")
        }
        return (.path(value), nil)
    }

    /// Half of `$WATCHDOG_USEC` (systemd's advice), unless `$WATCHDOG_PID` names another process.
    static func watchdogInterval(_ environment: [String: String], pid: Int32) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], !owner.isEmpty, Int32(owner) != pid { return nil }
        return .microseconds(Int64(clamping: microseconds / 2))
    }

    /// Writes `address` into `storage`; returns the length to pass with it. An abstract name starts with a NUL
    /// byte and is exactly as long as the name (no terminating NUL: it would be part of the name).
    private static func fill(_ storage: inout sockaddr_un, with address: Address) -> socklen_t {
        storage.sun_family = sa_family_t(AF_UNIX)
        let (bytes, leadingNUL): ([UInt8], Bool) = switch address {
        case .path(let path): (Array(path.utf8), false)
        case .abstract(let name): (Array(name.utf8), true)
        }
        let offset = leadingNUL ? 1 : 0
        withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            for index in raw.indices { raw[index] = 0 }
            for (index, byte) in bytes.enumerated() { raw[offset + index] = byte }
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
        return socklen_t(pathOffset + offset + bytes.count + (leadingNUL ? 0 : 1))
    }
}
