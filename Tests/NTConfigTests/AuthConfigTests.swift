import NTConfig
import Testing

@Suite("The [auth] section")
struct AuthConfigTests {
    let hash = "$2b$12$" + String(repeating: "a", count: 53)

    @Test("defaults: no login, sessions idle 12 h and at most 7 days")
    func defaults() throws {
        let defaults = try config("")
        #expect(defaults.authMode == .none)
        #expect(defaults.auth.passwordHash.isEmpty)
        #expect(defaults.auth.sessionIdleMinutes == 720 && defaults.auth.sessionMaxHours == 168)
    }

    @Test("mode none is refused while a listener is reachable from other machines, with how to set a password")
    func noneOnlyOnLoopback() {
        let errors = configErrors("[server]\nlisten = \"0.0.0.0:8080\"")
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("nt.toml:2: 'server.listen' (0.0.0.0:8080) is reachable from other machines") == true)
        #expect(errors.first?.contains("neural-terminal passwd") == true)
        #expect(configErrors("[metrics]\nlisten = \"[::]:9090\"").first?.contains("'metrics.listen'") == true)
        // From the environment, the variable is blamed.
        let fromEnvironment = configErrors("", environment: ["NEURAL_TERMINAL_SERVER_LISTEN": "192.0.2.1:80"])
        #expect(fromEnvironment.first?.hasPrefix("environment NEURAL_TERMINAL_SERVER_LISTEN") == true)
    }

    @Test("mode none is refused behind a proxy that a public server.public_url reveals")
    func noneNotBehindAProxy() {
        let errors = configErrors("[server]\npublic_url = \"https://chat.example.com\"")
        #expect(errors.count == 1 && errors.first?.contains("reachable through a proxy") == true, "\(errors)")
        #expect(configErrors("[server]\npublic_url = \"http://localhost:8080/\"").isEmpty)
        #expect(configErrors("[server]\npublic_url = \"http://127.0.0.1:8080\"").isEmpty)
        #expect(configErrors("[auth]\nmode = \"password\"\n[server]\npublic_url = \"https://chat.example.com\"").isEmpty)
    }

    @Test("a hash that could never verify is refused: a cost outside 04…31, characters outside bcrypt's alphabet")
    func strictHash() {
        #expect(configErrors("[auth]\npassword_hash = \"$2b$99$\(String(repeating: "a", count: 53))\"").count == 1)
        #expect(configErrors("[auth]\npassword_hash = \"$2b$12$\(String(repeating: "!", count: 53))\"").count == 1)
        #expect(configErrors("[auth]\npassword_hash = \"$2y$04$\(String(repeating: "/", count: 53))\"").isEmpty)
    }

    @Test("rate limits key an IPv6 client by its /64, an IPv4-mapped one by its IPv4 address")
    func clientKeys() {
        #expect(ClientAddress.limitKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64")
        #expect(ClientAddress.limitKey("2001:db8:1:2::1") == ClientAddress.limitKey("2001:db8:1:2:ffff::9"))
        #expect(ClientAddress.limitKey("::ffff:192.0.2.7") == "192.0.2.7")
        #expect(ClientAddress.limitKey("192.0.2.7") == "192.0.2.7")
        #expect(ClientAddress.limitKey("unknown") == "unknown")
    }

    @Test("loopback listeners of every kind are fine without a password")
    func loopbackIsFine() {
        for listen in ["127.0.0.1:8080", "127.1.2.3:8080", "[::1]:8080", "localhost:8080"] {
            #expect(configErrors("[server]\nlisten = \"\(listen)\"").isEmpty, "\(listen)")
        }
    }

    @Test("mode password may listen anywhere")
    func passwordAnywhere() throws {
        let c = try config("[auth]\nmode = \"password\"\n[server]\nlisten = \"0.0.0.0:8080\"\n[metrics]\nlisten = \"0.0.0.0:9090\"")
        #expect(c.authMode == .password)
    }

    @Test("the mode and the hash are checked, and the hash is never echoed in the error")
    func checks() {
        #expect(configErrors("[auth]\nmode = \"basic\"") == ["nt.toml:2: 'auth.mode' must be one of none, password, proxy (got 'basic')"])
        let errors = configErrors("[auth]\npassword_hash = \"hunter2-plain\"")
        #expect(errors.count == 1 && errors.first?.contains("bcrypt") == true && errors.first?.contains("hunter2") == false)
        #expect(configErrors("[auth]\nmode = \"password\"\npassword_hash = \"\(hash)\"").isEmpty)
        #expect(configErrors("[auth]\nsession_max_hours = 0").count == 1)
        for key in ConfigSchema.keyPaths where key.hasPrefix("auth.") {
            #expect(ConfigSchema.reloadEffect(of: key) == .inPlace, "\(key)")
        }
    }
}

@Suite("Trusted proxies")
struct TrustedProxyTests {
    @Test("addresses are read in one spelling each, and anything else is refused")
    func parsing() throws {
        let c = try config("[auth]\nmode = \"password\"\n[server]\ntrusted_proxies = \"127.0.0.1, ::1,0:0:0:0:0:0:0:1\"")
        #expect(c.trustedProxies == ["127.0.0.1", "0:0:0:0:0:0:0:1"])
        #expect(configErrors("[auth]\nmode = \"password\"\n[server]\ntrusted_proxies = \"proxy.local\"").count == 1)
        #expect(configErrors("[server]\ntrusted_proxies = \"127.0.0.1\"").first?.contains("auth.mode") == true, "needs a password")
    }

    @Test("the client is the nearest address that is not a trusted proxy, and only a trusted peer is believed")
    func forwardedClient() {
        let trusted: Set<String> = ["127.0.0.1", "10.0.0.2"]
        #expect(ClientAddress.forwardedClient(peer: "127.0.0.1", forwardedFor: "198.51.100.7", trusted: trusted) == "198.51.100.7")
        // A client cannot hide behind a forged entry on the left: the nearest untrusted hop wins.
        #expect(ClientAddress.forwardedClient(peer: "127.0.0.1", forwardedFor: "203.0.113.1, 198.51.100.7, 10.0.0.2", trusted: trusted) == "198.51.100.7")
        #expect(ClientAddress.forwardedClient(peer: "192.0.2.9", forwardedFor: "198.51.100.7", trusted: trusted) == nil, "an untrusted peer")
        #expect(ClientAddress.forwardedClient(peer: "127.0.0.1", forwardedFor: nil, trusted: trusted) == nil)
        #expect(ClientAddress.forwardedClient(peer: "127.0.0.1", forwardedFor: "unknown", trusted: trusted) == nil)
        #expect(ClientAddress.forwardedClient(peer: "::ffff:127.0.0.1", forwardedFor: "2001:db8::1", trusted: trusted) == "2001:db8:0:0:0:0:0:1")
    }
}

@Suite("Loading for passwd and token")
struct AccessCommandConfigTests {
    @Test("an exposed listener and an unreadable key file do not stop the commands that set a password")
    func lenient() throws {
        let text = "[server]\nlisten = \"0.0.0.0:8080\"\n[upstream]\napi_key_file = \"/nonexistent/key\"\n[storage]\ndata_dir = \"/srv/nt\""
        #expect(configErrors(text).count == 2)
        let config = try ConfigLoader.parse(text, file: "nt.toml", environment: [:], forAccessCommands: true)
        #expect(config.storage.dataDir == "/srv/nt" && config.upstreamAPIKey == nil)
        // Everything else is still checked.
        #expect(throws: ConfigErrors.self) { try ConfigLoader.parse("[auth]\nmode = \"basic\"", file: "nt.toml", environment: [:], forAccessCommands: true) }
    }
}
