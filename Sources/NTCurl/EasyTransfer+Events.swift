import CCurl

/// libcurl's callbacks, the response head, deadlines and error classification.
extension EasyTransfer {
    /// CURLOPT_WRITEFUNCTION: hands the bytes to the channel, or pauses when the consumer lags too far behind.
    func receiveBody(_ buffer: UnsafeRawBufferPointer) -> Int {
        deliverHeadIfNeeded()
        guard channel.offerBody([UInt8](buffer)) else {
            paused = true
            return nt_writefunc_pause()
        }
        lastBodyAt = monotonicNanos()
        return buffer.count
    }

    /// CURLOPT_HEADERFUNCTION: one call per header line, status lines and the blank line ending a block included.
    /// Blocks of 1xx responses are dropped; lines after the final block (trailers) are ignored.
    func receiveHeader(_ buffer: UnsafeRawBufferPointer) -> Int {
        var end = buffer.count
        while end > 0, buffer[end - 1] == 10 || buffer[end - 1] == 13 { end -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: buffer[0..<end])
        if headDelivered { return buffer.count }
        if line.isEmpty {
            if (100..<200).contains(status) {
                status = 0
                headers = []
            } else {
                deliverHeadIfNeeded()
            }
        } else if line.starts(with: "HTTP/".utf8) {
            status = Self.statusCode(line)
            headers = []
        } else if line[0] == 32 || line[0] == 9, let last = headers.popLast() {
            headers.append((last.0, last.1 + " " + Self.trimmed(line[...])))
        } else if let colon = line.firstIndex(of: 58) {
            headers.append((String(decoding: line[..<colon], as: UTF8.self), Self.trimmed(line[(colon + 1)...])))
        }
        return buffer.count
    }

    /// Delivers `.head` once: at the end of the final header block, or before the first body byte or the end.
    func deliverHeadIfNeeded() {
        guard !headDelivered else { return }
        headDelivered = true
        if status == 0 {
            var code = 0
            _ = nt_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
            status = code
        }
        channel.deliver(.head(status: status, headers: headers))
        headers = []
    }

    /// Continues a transfer paused by back-pressure.
    func resume() {
        guard paused else { return }
        paused = false
        lastBodyAt = monotonicNanos()
        _ = curl_easy_pause(handle, nt_pause_continue())
    }

    /// The first-byte or idle timeout, if one has expired at `now`. Suspended while paused by back-pressure.
    func deadlineError(now: UInt64) -> CurlError? {
        if paused { return nil }
        if lastBodyAt != 0 {
            guard idleTimeout > 0, now &- lastBodyAt >= idleTimeout else { return nil }
            return CurlError(kind: .timeoutIdle, message: "no data for \(idleTimeout / 1_000_000) ms")
        }
        guard firstByteTimeout > 0 else { return nil }
        if sentAt == 0 {
            var pretransfer: curl_off_t = 0
            guard nt_easy_getinfo_off_t(handle, CURLINFO_PRETRANSFER_TIME_T, &pretransfer) == CURLE_OK,
                  pretransfer > 0 else { return nil }
            sentAt = startedAt &+ UInt64(pretransfer) &* 1000
        }
        guard now > sentAt, now - sentAt >= firstByteTimeout else { return nil }
        return CurlError(
            kind: .timeoutFirstByte,
            message: "no response body within \(firstByteTimeout / 1_000_000) ms of sending the request")
    }

    /// Classifies a failed `CURLcode`, with libcurl's detailed message when it wrote one.
    func error(for code: CURLcode) -> CurlError {
        let message = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        let kind: CurlError.Kind
        switch code {
        case CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_PROXY:
            kind = .connect
        case CURLE_OPERATION_TIMEDOUT:
            var pretransfer: curl_off_t = 0
            _ = nt_easy_getinfo_off_t(handle, CURLINFO_PRETRANSFER_TIME_T, &pretransfer)
            let connectFirst = connectTimeout > 0 && (totalTimeout == 0 || connectTimeout <= totalTimeout)
            kind = pretransfer == 0 && connectFirst ? .timeoutConnect : .timeoutTotal
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
             CURLE_SSL_ENGINE_INITFAILED, CURLE_USE_SSL_FAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE,
             CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
             CURLE_SSL_CLIENTCERT:
            kind = .tls
        case CURLE_ABORTED_BY_CALLBACK:
            kind = .cancelled
        default:
            kind = .transport
        }
        return CurlError(kind: kind, message: message, curlCode: Int32(truncatingIfNeeded: code.rawValue))
    }

    private static func statusCode(_ line: UnsafeRawBufferPointer) -> Int {
        guard let space = line.firstIndex(of: 32) else { return 0 }
        var code = 0
        for byte in line[(space + 1)...] {
            guard byte >= 48, byte <= 57 else { break }
            code = code * 10 + Int(byte - 48)
        }
        return code
    }

    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        var slice = bytes[...]
        while let first = slice.first, first == 32 || first == 9 { slice = slice.dropFirst() }
        while let last = slice.last, last == 32 || last == 9 { slice = slice.dropLast() }
        return String(decoding: slice, as: UTF8.self)
    }
}
