/// Host names and addresses that can only mean this machine, as they appear in an HTTP `Host` header or a URL.
///
/// Used where a request must not come through DNS rebinding (a page on `evil.example` whose name was made to
/// resolve to 127.0.0.1 still sends `Host: evil.example`), and to tell a local `server.public_url` from a public one.
public enum LoopbackHost {
    /// Whether `host` (`name[:port]`, `[v6][:port]`) names this machine: `localhost` (also with a trailing dot),
    /// 127.0.0.0/8 or `::1`. Any other name is refused, even one that resolves to 127.0.0.1.
    public static func contains(_ host: String) -> Bool {
        var text = host.lowercased()
        let hasPort: Bool
        if text.hasPrefix("[") {
            hasPort = text.split(separator: "]", maxSplits: 1).dropFirst().first?.hasPrefix(":") ?? false
        } else {
            hasPort = text.contains(":")
        }
        if !hasPort { text += ":80" }
        if text.hasPrefix("localhost.:") { text = "localhost" + text.dropFirst("localhost.".count) }
        return (try? ListenAddress(parsing: text))?.isLoopback ?? false
    }
}

/// The bcrypt hash format, checked in full (the config cannot take a hash that could never verify).
public enum BcryptHashFormat {
    /// `$2a$`, `$2b$` or `$2y$`, a two-digit cost from 04 to 31, `$`, then 53 characters of bcrypt's base-64
    /// alphabet (salt and digest).
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 60, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
              [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2]),
              bytes[3] == UInt8(ascii: "$"), bytes[6] == UInt8(ascii: "$")
        else { return false }
        guard let tens = digit(bytes[4]), let ones = digit(bytes[5]), (4...31).contains(tens * 10 + ones) else { return false }
        return bytes[7...].allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "/"):
                return true
            default:
                return false
            }
        }
    }

    private static func digit(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }
}

/// The part of a client's address that identifies one client for rate limits and the login throttle.
public enum ClientAddress {
    /// An IPv4 address as is (an IPv4-mapped IPv6 address as its IPv4 form); an IPv6 address as its /64 prefix
    /// (`2001:db8:1:2::/64`), since one subscriber commonly holds a whole /64 and could otherwise take a fresh
    /// budget from each of its 2^64 addresses; anything else as is.
    public static func limitKey(_ ip: String) -> String {
        guard ip.contains(":"), let groups = IPAddressParser.ipv6(Substring(ip)) else { return ip }
        if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xFFFF {
            return "\(groups[6] >> 8).\(groups[6] & 0xFF).\(groups[7] >> 8).\(groups[7] & 0xFF)"
        }
        return groups[0..<4].map { String($0, radix: 16) }.joined(separator: ":") + "::/64"
    }

    /// One spelling per address (`::1` and `0:0:0:0:0:0:0:1` alike; an IPv4-mapped IPv6 address as IPv4), or nil
    /// when `text` is not an IP address literal.
    public static func canonical(_ text: String) -> String? {
        let trimmed = Substring(text.trimmingWhitespace)
        if let octets = IPAddressParser.ipv4(trimmed) { return octets.map(String.init).joined(separator: ".") }
        let bare = trimmed.hasPrefix("[") && trimmed.hasSuffix("]") ? trimmed.dropFirst().dropLast() : trimmed
        guard let groups = IPAddressParser.ipv6(bare) else { return nil }
        if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xFFFF {
            return "\(groups[6] >> 8).\(groups[6] & 0xFF).\(groups[7] >> 8).\(groups[7] & 0xFF)"
        }
        return groups.map { String($0, radix: 16) }.joined(separator: ":")
    }

    /// The client a chain of trusted proxies reports: `X-Forwarded-For` read from the right (the nearest hop),
    /// skipping addresses in `trusted`, and the first one that is not trusted is the client. nil when the peer is not
    /// trusted (its own header could say anything), or the header is absent or holds something that is not an
    /// address. `trusted` holds ``canonical(_:)`` spellings.
    public static func forwardedClient(peer: String, forwardedFor: String?, trusted: Set<String>) -> String? {
        guard let peer = canonical(peer), trusted.contains(peer), let header = forwardedFor else { return nil }
        for hop in header.split(separator: ",").reversed() {
            guard let address = canonical(String(hop)) else { return nil }
            if !trusted.contains(address) { return address }
        }
        return nil
    }
}

extension String {
    var trimmingWhitespace: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
