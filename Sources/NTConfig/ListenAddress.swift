/// A `host:port` to bind a listening socket to, as written in `server.listen` and `metrics.listen`.
///
/// Accepts an IPv4 literal (`0.0.0.0:8080`), a bracketed IPv6 literal (`[::1]:8080`) or `localhost`; other host
/// names are refused, because binding to a name depends on resolver state at start-up. Port 0 asks the kernel
/// for a free port (tests use it). For `localhost` the caller chooses what to bind (127.0.0.1 is the safe choice;
/// `/etc/hosts` may be missing in a container).
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The kind of host, which decides the socket family.
    public enum Family: Sendable, Hashable {
        case ipv4, ipv6, localhost
    }

    /// The host without brackets: `127.0.0.1`, `::1`, `localhost`.
    public let host: String
    /// 0…65535; 0 means "pick a free port".
    public let port: Int
    /// IPv4, IPv6 or the name `localhost`.
    public let family: Family
    /// True for 127.0.0.0/8, `::1`, IPv4-mapped 127.0.0.0/8, and `localhost`: only this machine can connect.
    public let isLoopback: Bool

    /// Parses `host:port`, `[v6]:port` or `localhost:port`.
    public init(parsing text: String) throws(ListenAddressError) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw ListenAddressError("missing ']' after IPv6 address") }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.first == ":" else { throw ListenAddressError("expected ':port' after ']' in '\(text)'") }
            portPart = rest.dropFirst()
            guard let groups = IPAddressParser.ipv6(hostPart) else {
                throw ListenAddressError("'\(hostPart)' is not an IPv6 address")
            }
            family = .ipv6
            isLoopback = groups == [0, 0, 0, 0, 0, 0, 0, 1]
                || (groups[0..<5].allSatisfy { $0 == 0 } && groups[5] == 0xFFFF && groups[6] >> 8 == 127)
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw ListenAddressError("expected host:port, e.g. 127.0.0.1:8080 (got '\(text)')")
            }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") {
                throw ListenAddressError("IPv6 addresses must be in brackets, e.g. [::1]:8080 (got '\(text)')")
            }
            if hostPart.isEmpty {
                throw ListenAddressError("missing host; use 0.0.0.0:\(portPart) for all interfaces or 127.0.0.1:\(portPart) for this machine only")
            }
            if hostPart.lowercased() == "localhost" {
                family = .localhost
                isLoopback = true
            } else if let octets = IPAddressParser.ipv4(hostPart) {
                family = .ipv4
                isLoopback = octets[0] == 127
            } else {
                throw ListenAddressError("host must be an IPv4 address, a bracketed IPv6 address or localhost (got '\(hostPart)')")
            }
        }
        guard !portPart.isEmpty, portPart.count <= 5, portPart.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = Int(portPart), port <= 65_535
        else { throw ListenAddressError("port must be a number from 0 to 65535 (got '\(portPart)')") }
        self.host = family == .localhost ? "localhost" : hostPart.lowercased()
        self.port = port
    }

    /// `host:port`, with brackets around IPv6 hosts; parses back to an equal value.
    public var description: String {
        family == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// True for `0.0.0.0` and `::`: every interface, which includes every specific address.
    public var isUnspecified: Bool {
        switch family {
        case .ipv4: IPAddressParser.ipv4(host[...]) == [0, 0, 0, 0]
        case .ipv6: IPAddressParser.ipv6(host[...]) == [0, 0, 0, 0, 0, 0, 0, 0]
        case .localhost: false
        }
    }
}

/// Why a listen address was refused, in words that follow "is not a valid listen address: ".
public struct ListenAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reason, e.g. "port must be a number from 0 to 65535 (got '80a')".
    public let message: String
    init(_ message: String) { self.message = message }
    /// The reason, as `message`.
    public var description: String { message }
}

/// Strict parsers for IP literals (no leading zeros in IPv4, no zone ids in IPv6).
enum IPAddressParser {
    static func ipv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  part.count == 1 || part.first != "0", let value = UInt8(part) else { return nil }
            octets.append(value)
        }
        return octets
    }

    /// Eight 16-bit groups; `::` stands for one or more zero groups, and an IPv4 tail counts as two.
    static func ipv6(_ text: Substring) -> [UInt16]? {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        guard let head = groups(halves[0], allowIPv4Tail: halves.count == 1) else { return nil }
        if halves.count == 1 { return head.count == 8 ? head : nil }
        guard let tail = groups(halves[1], allowIPv4Tail: true), head.count + tail.count <= 7 else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }

    private static func groups(_ text: Substring, allowIPv4Tail: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var result: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if allowIPv4Tail, index == parts.count - 1, part.contains("."), let v4 = ipv4(part) {
                result += [UInt16(v4[0]) << 8 | UInt16(v4[1]), UInt16(v4[2]) << 8 | UInt16(v4[3])]
            } else {
                guard (1...4).contains(part.count), part.allSatisfy(\.isHexDigit), let value = UInt16(part, radix: 16)
                else { return nil }
                result.append(value)
            }
        }
        return result
    }
}

private extension Substring {
    /// Splits on a multi-character separator (the standard library has no such split without Foundation).
    func components(separatedBy separator: String) -> [Substring] {
        var pieces: [Substring] = []
        var rest = self[...]
        while let range = rest.firstRange(of: separator) {
            pieces.append(rest[..<range.lowerBound])
            rest = rest[range.upperBound...]
        }
        pieces.append(rest)
        return pieces
    }
}
