import NTConfig
import Testing

@Suite("Listen addresses")
struct ListenAddressTests {
    @Test("IPv4, bracketed IPv6 and localhost are accepted", arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080, ListenAddress.Family.ipv4, true),
        ("0.0.0.0:0", "0.0.0.0", 0, .ipv4, false),
        ("192.168.1.20:65535", "192.168.1.20", 65535, .ipv4, false),
        ("127.8.9.10:80", "127.8.9.10", 80, .ipv4, true),
        ("[::1]:9090", "::1", 9090, .ipv6, true),
        ("[::]:80", "::", 80, .ipv6, false),
        ("[0:0:0:0:0:0:0:1]:80", "0:0:0:0:0:0:0:1", 80, .ipv6, true),
        ("[fe80::1:2]:80", "fe80::1:2", 80, .ipv6, false),
        ("[::ffff:127.0.0.1]:80", "::ffff:127.0.0.1", 80, .ipv6, true),
        ("[2001:DB8::1]:443", "2001:db8::1", 443, .ipv6, false),
        ("localhost:3000", "localhost", 3000, .localhost, true),
        ("LocalHost:3000", "localhost", 3000, .localhost, true),
    ])
    func accepted(text: String, host: String, port: Int, family: ListenAddress.Family, loopback: Bool) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
        #expect(address.family == family)
        #expect(address.isLoopback == loopback)
        #expect(try ListenAddress(parsing: address.description) == address)
    }

    @Test("the wildcard addresses are unspecified")
    func unspecified() throws {
        #expect(try ListenAddress(parsing: "0.0.0.0:1").isUnspecified)
        #expect(try ListenAddress(parsing: "[::]:1").isUnspecified)
        #expect(try !ListenAddress(parsing: "127.0.0.1:1").isUnspecified)
    }

    @Test("IPv6 prints with brackets")
    func description() throws {
        #expect(try ListenAddress(parsing: "[::1]:80").description == "[::1]:80")
        #expect(try ListenAddress(parsing: "10.0.0.1:80").description == "10.0.0.1:80")
    }

    @Test("malformed addresses are refused with a reason", arguments: [
        ("8080", "expected host:port"), ("127.0.0.1", "expected host:port"), (":8080", "missing host"),
        ("127.0.0.1:", "port must be"), ("127.0.0.1:65536", "port must be"), ("127.0.0.1:-1", "port must be"),
        ("127.0.0.1:80a", "port must be"), ("127.0.0.1:+80", "port must be"), ("256.0.0.1:80", "host must be"),
        ("1.2.3:80", "host must be"), ("01.2.3.4:80", "host must be"), ("example.com:80", "host must be"),
        ("::1:80", "must be in brackets"), ("[::1]80", "expected ':port'"), ("[::1:80", "missing ']'"),
        ("[1:2:3:4:5:6:7:8:9]:80", "not an IPv6"), ("[1::2::3]:80", "not an IPv6"), ("[12345::]:80", "not an IPv6"),
        ("[fe80::1%eth0]:80", "not an IPv6"), ("[127.0.0.1]:80", "not an IPv6"), ("", "expected host:port"),
    ])
    func refused(text: String, reason: String) {
        #expect {
            try ListenAddress(parsing: text)
        } throws: { error in
            (error as? ListenAddressError)?.message.contains(reason) == true
        }
    }
}
