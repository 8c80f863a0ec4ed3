import CCurl
import Glibc

/// One easy handle and everything it owns (header list, error buffer, parse state). Confined to the curl thread;
/// libcurl's callbacks reach it through an unretained pointer, while ``CurlLoop`` keeps it alive.
final class EasyTransfer {
    let channel: TransferChannel
    let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// CURLOPT_ERRORBUFFER (CURL_ERROR_SIZE bytes); valid until ``cleanup()``.
    let errorBuffer: UnsafeMutablePointer<CChar>
    private var cleanedUp = false

    let connectTimeout: UInt64
    let totalTimeout: UInt64
    let firstByteTimeout: UInt64
    let idleTimeout: UInt64
    /// Monotonic nanoseconds when the handle was added; `sentAt` is derived from libcurl's pre-transfer time.
    let startedAt: UInt64
    var sentAt: UInt64 = 0
    /// When the last body byte arrived; 0 until the first one.
    var lastBodyAt: UInt64 = 0
    /// The write callback returned CURL_WRITEFUNC_PAUSE; deadlines are suspended until ``resume()``.
    var paused = false

    var status = 0
    var headers: [(String, String)] = []
    var headDelivered = false

    private init(channel: TransferChannel, handle: UnsafeMutableRawPointer, request: CurlRequest) {
        self.channel = channel
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(to: 0)
        connectTimeout = request.connectTimeout.nanoseconds
        totalTimeout = request.totalTimeout.nanoseconds
        firstByteTimeout = request.firstByteTimeout.nanoseconds
        idleTimeout = request.idleTimeout.nanoseconds
        startedAt = monotonicNanos()
    }

    /// A configured easy handle, or the reason the request cannot be sent.
    static func make(channel: TransferChannel, request: CurlRequest) -> Result<EasyTransfer, CurlError> {
        guard let handle = curl_easy_init() else {
            return .failure(CurlError(kind: .transport, message: "curl_easy_init failed"))
        }
        let transfer = EasyTransfer(channel: channel, handle: handle, request: request)
        if let error = transfer.configure(request) {
            transfer.cleanup()
            return .failure(error)
        }
        return .success(transfer)
    }

    /// The transfer whose pointer was stored in CURLOPT_PRIVATE.
    static func owning(_ handle: UnsafeMutableRawPointer) -> EasyTransfer? {
        var pointer: UnsafeMutableRawPointer?
        guard nt_easy_getinfo_pointer(handle, CURLINFO_PRIVATE, &pointer) == CURLE_OK, let pointer else { return nil }
        return Unmanaged<EasyTransfer>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Frees the easy handle, the header list and the error buffer. Call after `curl_multi_remove_handle`.
    func cleanup() {
        guard !cleanedUp else { return }
        cleanedUp = true
        curl_easy_cleanup(handle)
        nt_slist_free(headerList)
        headerList = nil
        errorBuffer.deallocate()
    }

    private func configure(_ request: CurlRequest) -> CurlError? {
        if let problem = Self.validate(request) { return CurlError(kind: .transport, message: problem) }
        var failure = CURLE_OK
        func set(_ code: CURLcode) { if failure == CURLE_OK { failure = code } }
        let me = Unmanaged.passUnretained(self).toOpaque()

        set(nt_easy_setopt_pointer(handle, CURLOPT_PRIVATE, me))
        set(nt_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        set(nt_easy_setopt_string(handle, CURLOPT_URL, request.url))
        set(nt_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        set(nt_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(nt_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        set(nt_easy_setopt_long(handle, CURLOPT_TCP_KEEPIDLE, 30))
        set(nt_easy_setopt_long(handle, CURLOPT_TCP_KEEPINTVL, 15))
        set(nt_easy_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ""))
        set(nt_easy_setopt_string(handle, CURLOPT_USERAGENT, "neural-terminal"))
        set(nt_easy_setopt_long(handle, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1))
        if request.url.utf8.starts(with: "https:".utf8) {
            // Wait for a connection being set up to the same host to learn (through ALPN) whether it can
            // multiplex, rather than open one connection per stream. Not for cleartext HTTP: libcurl 7.88 only
            // learns "no multiplexing" from the first response there, and would queue every other cold-start
            // transfer behind the whole first one.
            set(nt_easy_setopt_long(handle, CURLOPT_PIPEWAIT, 1))
        }
        // No CURLOPT_PROXY / CURLOPT_NOPROXY: libcurl then honours http_proxy, https_proxy, HTTPS_PROXY,
        // all_proxy and no_proxy from the environment (ADR 0005).
        if request.connectTimeout > .zero {
            set(nt_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.curlMilliseconds))
        }
        if request.totalTimeout > .zero {
            set(nt_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.totalTimeout.curlMilliseconds))
        }
        if let caFile = request.caFile { set(nt_easy_setopt_string(handle, CURLOPT_CAINFO, caFile)) }
        if let size = request.receiveBufferSize { set(nt_easy_setopt_long(handle, CURLOPT_BUFFERSIZE, size)) }

        set(nt_easy_setopt_write_function(handle) { data, size, count, user in
            let transfer = Unmanaged<EasyTransfer>.fromOpaque(user!).takeUnretainedValue()
            return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size &* count))
        })
        set(nt_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, me))
        set(nt_easy_setopt_header_function(handle) { data, size, count, user in
            let transfer = Unmanaged<EasyTransfer>.fromOpaque(user!).takeUnretainedValue()
            return transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size &* count))
        })
        set(nt_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, me))

        switch request.method {
        case "GET" where request.body == nil:
            break
        case "HEAD":
            set(nt_easy_setopt_long(handle, CURLOPT_NOBODY, 1))
        case "POST":
            setBody(request.body ?? [], &failure)
        default:
            set(nt_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method))
            if let body = request.body { setBody(body, &failure) }
        }
        set(setHeaders(request.headers, hasBody: request.body != nil || request.method == "POST"))
        guard failure == CURLE_OK else { return error(for: failure) }
        return nil
    }

    private func setBody(_ body: [UInt8], _ failure: inout CURLcode) {
        let code = body.withUnsafeBytes { nt_easy_set_body(handle, $0.baseAddress, curl_off_t($0.count)) }
        if failure == CURLE_OK { failure = code }
    }

    /// Builds CURLOPT_HTTPHEADER. `Expect:` is always suppressed (no 100-continue round trip), and so is libcurl's
    /// default `Content-Type: application/x-www-form-urlencoded` for bodies when the caller set no content type.
    private func setHeaders(_ fields: [(String, String)], hasBody: Bool) -> CURLcode {
        var lines = fields.map { name, value in value.isEmpty ? "\(name);" : "\(name): \(value)" }
        if CurlHeaders.value(of: "Expect", in: fields) == nil { lines.append("Expect:") }
        if hasBody && CurlHeaders.value(of: "Content-Type", in: fields) == nil { lines.append("Content-Type:") }
        for line in lines {
            guard let list = nt_slist_append(headerList, line) else { return CURLE_OUT_OF_MEMORY }
            headerList = list
        }
        return nt_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
    }

    /// Rejects what would corrupt the request line or the header block.
    private static func validate(_ request: CurlRequest) -> String? {
        func isToken(_ text: String) -> Bool {
            !text.isEmpty && text.utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != 58 }
        }
        func isSafe(_ text: String) -> Bool { !text.utf8.contains { $0 == 0 || $0 == 10 || $0 == 13 } }
        guard isToken(request.method) else { return "invalid request method \"\(request.method)\"" }
        guard isSafe(request.url) else { return "the URL contains a control character" }
        for (name, value) in request.headers where !isToken(name) || !isSafe(value) {
            return "invalid header field \"\(name)\""
        }
        return nil
    }
}
