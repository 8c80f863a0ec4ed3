import Foundation

/// What systemd would receive on `$NOTIFY_SOCKET`: a Unix datagram socket in a temporary folder that records
/// every message with the pid the kernel says sent it (`SO_PASSCRED`, as systemd checks `NotifyAccess=main`).
/// Always `close()` it.
final class NotifyListener: @unchecked Sendable {
    struct Message: Sendable {
        let pid: Int32
        let text: String
        let received: Date
        /// The message's `KEY=value` lines as a dictionary.
        var fields: [String: String] {
            var fields: [String: String] = [:]
            for line in text.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            return fields
        }
    }

    let directory: URL
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [Message] = []
    private var closed = false

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-notify-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("notify.sock").path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EINVAL) }
        Thread.detachNewThread { self.receiveLoop() }
    }

    /// Every message so far, oldest first.
    var messages: [Message] { lock.withLock { received } }

    /// Messages so far that carry `key` (e.g. `READY`).
    func messages(with key: String) -> [Message] { messages.filter { $0.fields[key] != nil } }

    func close() {
        lock.withLock { closed = true }
        try? FileManager.default.removeItem(at: directory)
    }

    private func receiveLoop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var control = [UInt8](repeating: 0, count: 64)
        while !lock.withLock({ closed }) {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) == 1 else { continue }
            let message: Message? = buffer.withUnsafeMutableBytes { data in
                control.withUnsafeMutableBytes { controlBytes in
                    var vector = iovec(iov_base: data.baseAddress, iov_len: data.count)
                    return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                        var header = msghdr()
                        header.msg_iov = vectorPointer
                        header.msg_iovlen = 1
                        header.msg_control = controlBytes.baseAddress
                        header.msg_controllen = controlBytes.count
                        let count = recvmsg(fd, &header, 0)
                        guard count >= 0 else { return nil }
                        return Message(
                            pid: Self.senderPID(controlBytes, length: Int(header.msg_controllen)),
                            text: String(decoding: UnsafeRawBufferPointer(rebasing: data[..<count]), as: UTF8.self),
                            received: Date()
                        )
                    }
                }
            }
            if let message { lock.withLock { received.append(message) } }
        }
        Glibc.close(fd)
    }

    /// Linux's `SCM_CREDENTIALS` (Glibc declares it, and `struct ucred`, only under `_GNU_SOURCE`).
    private static let credentialsType: Int32 = 2

    /// The sender's pid from the first control message when it is `SCM_CREDENTIALS` (`struct ucred`: pid, uid,
    /// gid, after the 16-byte `cmsghdr`), else 0.
    private static func senderPID(_ control: UnsafeMutableRawBufferPointer, length: Int) -> Int32 {
        let headerSize = MemoryLayout<cmsghdr>.stride
        guard length >= headerSize + 3 * MemoryLayout<Int32>.size else { return 0 }
        let header = control.loadUnaligned(as: cmsghdr.self)
        guard header.cmsg_level == SOL_SOCKET, header.cmsg_type == credentialsType else { return 0 }
        return control.loadUnaligned(fromByteOffset: headerSize, as: Int32.self)
    }
}
