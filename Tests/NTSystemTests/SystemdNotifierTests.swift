import Foundation
import NTSystem
import Testing

/// The notification protocol of systemd as the supervisor speaks it: the text of a message, both kinds of
/// address, the watchdog's variables, and nothing at all without `$NOTIFY_SOCKET`.
struct SystemdNotifierTests {
    @Test func aMessageIsOneKeyValueLinePerField() {
        let text = SystemdNotifier.message([
            .reloading(monotonicMicroseconds: 1_234_567), .status("reloading\nconfiguration"), .ready, .stopping, .watchdog,
        ])
        #expect(text == "RELOADING=1\nMONOTONIC_USEC=1234567\nSTATUS=reloading configuration\nREADY=1\nSTOPPING=1\nWATCHDOG=1\n")
    }

    @Test func sendsOneDatagramToASocketFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-notify-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("notify.sock").path
        let receiver = try DatagramReceiver(addressBytes: Array(path.utf8) + [0])

        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path])
        #expect(notifier.address == .path(path))
        try notifier.send([.ready, .status("serving")])
        #expect(receiver.receive() == "READY=1\nSTATUS=serving\n")
    }

    /// `@name` is the abstract name `name`: a leading NUL, then exactly the name's bytes (no trailing NUL).
    @Test func sendsToAnAbstractSocket() throws {
        let name = "nt-notify-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        let receiver = try DatagramReceiver(addressBytes: [0] + Array(name.utf8))

        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "@" + name])
        #expect(notifier.address == .abstract(name))
        try notifier.send([.stopping])
        #expect(receiver.receive() == "STOPPING=1\n")
    }

    @Test func withoutNotifySocketNothingIsSentAndNothingFails() throws {
        for environment in [[:], ["NOTIFY_SOCKET": ""], ["WATCHDOG_USEC": "1000000"]] {
            let notifier = SystemdNotifier(environment: environment)
            #expect(!notifier.isActive)
            #expect(notifier.problem == nil)
            #expect(notifier.watchdogPingInterval == nil)
            try notifier.send([.ready, .watchdog])
        }
    }

    @Test func anAddressThatIsNeitherAPathNorAbstractIsReportedAndUnused() throws {
        for value in ["run/notify", "vsock:2:1234", "@", "/" + String(repeating: "x", count: 200)] {
            let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": value, "WATCHDOG_USEC": "1000000"])
            #expect(!notifier.isActive, "\(value)")
            #expect(notifier.problem?.contains("NOTIFY_SOCKET") == true, "\(value)")
            #expect(notifier.watchdogPingInterval == nil)
            try notifier.send([.ready])
        }
    }

    @Test func theWatchdogPingsAtHalfItsIntervalAndOnlyForItsOwnPid() {
        let socket = ["NOTIFY_SOCKET": "/run/systemd/notify"]
        func interval(_ extra: [String: String]) -> Duration? {
            SystemdNotifier(environment: socket.merging(extra) { $1 }, pid: 4242).watchdogPingInterval
        }
        #expect(interval(["WATCHDOG_USEC": "30000000"]) == .seconds(15))
        #expect(interval(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4242"]) == .seconds(15))
        #expect(interval(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"]) == nil)
        #expect(interval(["WATCHDOG_USEC": "0"]) == nil)
        #expect(interval(["WATCHDOG_USEC": "soon"]) == nil)
        #expect(interval([:]) == nil)
    }

    @Test func monotonicMicrosecondsIsClockMonotonic() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let before = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        let read = SystemdNotifier.monotonicMicroseconds()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let after = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        #expect(before <= read && read <= after)
    }
}

/// A Unix datagram socket bound to raw address bytes (`sun_path` as given: a path with its NUL, or a NUL and an
/// abstract name), built here by hand so the notifier's own address code is not what the test relies on.
final class DatagramReceiver {
    let fd: Int32

    init(addressBytes: [UInt8]) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in addressBytes.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + addressBytes.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EINVAL) }
    }

    deinit { close(fd) }

    /// The next datagram's text, or nil after two seconds without one.
    func receive() -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 2000) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count < 0 ? nil : String(decoding: buffer[..<count], as: UTF8.self)
    }
}
