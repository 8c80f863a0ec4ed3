import CCurl
import Glibc
import Synchronization

/// Everything the curl thread owns: the multi handle, an epoll set holding libcurl's sockets and the wake-up
/// eventfd, libcurl's timer, and the running transfers.
///
/// It drives libcurl with `curl_multi_socket_action`, so a wake-up costs work only for the sockets that are
/// ready. (`curl_multi_perform` would walk, and `poll`, every transfer on every wake-up.) The wait is capped at
/// 50 ms while transfers run, so that the first-byte and idle deadlines are checked; with none running it lasts
/// until libcurl's own timer or a command, so an idle client costs no wake-ups at all.
final class CurlEngine {
    private let multi: UnsafeMutableRawPointer
    private let epoll: Int32
    private let wakeFD: Int32
    /// When libcurl wants `CURL_SOCKET_TIMEOUT` (monotonic nanoseconds); `nil` when it set no timer.
    private var timerDue: UInt64?
    private var watched: Set<Int32> = []
    private var transfers: [ObjectIdentifier: EasyTransfer] = [:]
    private var lastScan: UInt64 = 0
    private var ready = [epoll_event](repeating: epoll_event(), count: 256)
    /// The owner, whose `liveTransfers` counts the easy handles allocated here.
    private let loop: CurlLoop

    init(loop: CurlLoop, wakeFD: Int32, maxConnections: Int) {
        self.loop = loop
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed") }
        self.multi = multi
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epoll >= 0, "epoll_create1 failed: errno \(errno)")
        self.wakeFD = wakeFD
        control(wakeFD, EPOLLIN.rawValue, adding: true)

        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = nt_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maxConnections)
        _ = nt_multi_setopt_long(multi, CURLMOPT_PIPELINING, nt_pipe_multiplex())
        _ = nt_multi_setopt_socket_function(multi) { _, socket, what, user, _ in
            Unmanaged<CurlEngine>.fromOpaque(user!).takeUnretainedValue().watch(socket, what)
            return 0
        }
        _ = nt_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, me)
        _ = nt_multi_setopt_timer_function(multi) { _, milliseconds, user in
            let engine = Unmanaged<CurlEngine>.fromOpaque(user!).takeUnretainedValue()
            engine.timerDue = milliseconds < 0 ? nil : monotonicNanos() &+ UInt64(milliseconds) &* 1_000_000
            return 0
        }
        _ = nt_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, me)
    }

    // MARK: commands

    func add(_ channel: TransferChannel, _ request: CurlRequest) {
        switch EasyTransfer.make(channel: channel, request: request) {
        case .success(let transfer):
            let added = curl_multi_add_handle(multi, transfer.handle)
            guard added == CURLM_OK else {
                transfer.channel.deliver(.end(CurlError(kind: .transport, message: String(cString: curl_multi_strerror(added)))))
                transfer.cleanup()
                return
            }
            transfers[ObjectIdentifier(channel)] = transfer
            loop.liveTransfers.add(1, ordering: .relaxed)
        case .failure(let error):
            channel.deliver(.end(error))
        }
    }

    func cancel(_ channel: TransferChannel) {
        guard let transfer = transfers.removeValue(forKey: ObjectIdentifier(channel)) else { return }
        finish(transfer, CurlError(kind: .cancelled, message: "the consumer stopped listening"))
    }

    func resume(_ channel: TransferChannel) {
        transfers[ObjectIdentifier(channel)]?.resume()
    }

    /// One turn: run libcurl's due timer, hand over finished transfers, enforce deadlines, then wait for sockets,
    /// the timer or a wake-up and let libcurl handle the ready sockets.
    func step() {
        fireTimerIfDue()
        collectFinished()
        enforceDeadlines()
        let count = epoll_wait(epoll, &ready, Int32(ready.count), waitMilliseconds())
        for index in 0..<Int(max(count, 0)) {
            let fd = ready[index].data.fd
            let flags = ready[index].events
            if fd == wakeFD {
                var value: UInt64 = 0
                _ = read(wakeFD, &value, 8)
                continue
            }
            var mask: Int32 = 0
            if flags & EPOLLIN.rawValue != 0 { mask |= CURL_CSELECT_IN }
            if flags & EPOLLOUT.rawValue != 0 { mask |= CURL_CSELECT_OUT }
            if flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { mask |= CURL_CSELECT_ERR }
            var running: Int32 = 0
            _ = curl_multi_socket_action(multi, fd, mask, &running)
        }
    }

    /// Ends every transfer with `.cancelled` and frees the multi handle and the epoll set.
    func close() {
        for transfer in transfers.values {
            finish(transfer, CurlError(kind: .cancelled, message: "the client has shut down"))
        }
        transfers.removeAll()
        curl_multi_cleanup(multi)
        Glibc.close(epoll)
    }

    // MARK: internals

    private func fireTimerIfDue() {
        guard let due = timerDue, due <= monotonicNanos() else { return }
        timerDue = nil
        var running: Int32 = 0
        _ = curl_multi_socket_action(multi, nt_socket_timeout(), 0, &running)
    }

    private func waitMilliseconds() -> Int32 {
        if transfers.isEmpty && timerDue == nil { return -1 }
        let cap: UInt64 = transfers.isEmpty ? 60_000 : 50
        guard let due = timerDue else { return Int32(cap) }
        let now = monotonicNanos()
        guard due > now else { return 0 }
        return Int32(min(cap, (due - now + 999_999) / 1_000_000))
    }

    private func collectFinished() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                  let transfer = EasyTransfer.owning(handle) else { continue }
            let code = message.pointee.data.result
            transfers.removeValue(forKey: ObjectIdentifier(transfer.channel))
            finish(transfer, code == CURLE_OK ? nil : transfer.error(for: code))
        }
    }

    /// The first-byte and idle deadlines, which libcurl has no option for; checked at most every 10 ms.
    private func enforceDeadlines() {
        let now = monotonicNanos()
        guard now &- lastScan >= 10_000_000 else { return }
        lastScan = now
        for (key, transfer) in transfers {
            guard let error = transfer.deadlineError(now: now) else { continue }
            transfers.removeValue(forKey: key)
            finish(transfer, error)
        }
    }

    /// Removes the handle from the multi (closing the connection if the response was incomplete), delivers the
    /// last events and frees everything the transfer owns.
    private func finish(_ transfer: EasyTransfer, _ error: CurlError?) {
        _ = curl_multi_remove_handle(multi, transfer.handle)
        if error == nil { transfer.deliverHeadIfNeeded() }
        transfer.channel.deliver(.end(error))
        transfer.cleanup()
        loop.liveTransfers.subtract(1, ordering: .relaxed)
    }

    /// CURLMOPT_SOCKETFUNCTION: mirror libcurl's interest in a socket into the epoll set (level-triggered).
    private func watch(_ fd: Int32, _ what: Int32) {
        if what == CURL_POLL_REMOVE {
            if watched.remove(fd) != nil { _ = epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil) }
            return
        }
        var flags: UInt32 = 0
        if what == CURL_POLL_IN || what == CURL_POLL_INOUT { flags |= EPOLLIN.rawValue }
        if what == CURL_POLL_OUT || what == CURL_POLL_INOUT { flags |= EPOLLOUT.rawValue }
        control(fd, flags, adding: watched.insert(fd).inserted)
    }

    private func control(_ fd: Int32, _ flags: UInt32, adding: Bool) {
        var event = epoll_event()
        event.events = flags
        event.data.fd = fd
        if epoll_ctl(epoll, adding ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event) != 0 {
            // The kernel forgot a closed socket whose number came back, or never saw it: try the other way.
            _ = epoll_ctl(epoll, adding ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event)
        }
    }
}
