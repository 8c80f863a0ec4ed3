import NTConfig
import Testing

@Suite("auth.mode = \"proxy\"")
struct ProxyAuthConfigTests {
    @Test("defaults: the user header is Remote-User and unknown names are not made into accounts")
    func defaults() throws {
        let defaults = try config("")
        #expect(defaults.auth.proxyUserHeader == "Remote-User")
        #expect(defaults.auth.proxyCreateAccounts == false)
        let set = try config("""
            [server]
            trusted_proxies = "127.0.0.1"
            [auth]
            mode = "proxy"
            proxy_user_header = "X-Auth-Request-Email"
            proxy_create_accounts = true
            """)
        #expect(set.authMode == .proxy && set.auth.proxyUserHeader == "X-Auth-Request-Email" && set.auth.proxyCreateAccounts)
    }

    @Test("proxy mode without trusted proxies is refused, naming server.trusted_proxies, at the line that chose the mode")
    func needsTrustedProxies() {
        let errors = configErrors("[server]\nlisten = \"0.0.0.0:8080\"\n[auth]\nmode = \"proxy\"")
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.hasPrefix("nt.toml:4: 'auth.mode' = \"proxy\" needs 'server.trusted_proxies'") == true, "\(errors)")
        #expect(errors.first?.contains("'Remote-User' header") == true, "names the header that would be believed")
        // An empty list written out is blamed where it is written; an environment override names its variable.
        let empty = configErrors("[server]\ntrusted_proxies = \"\"\n[auth]\nmode = \"proxy\"")
        #expect(empty.count == 1 && empty.first?.hasPrefix("nt.toml:2: ") == true, "\(empty)")
        let fromEnvironment = configErrors("", environment: ["NEURAL_TERMINAL_AUTH_MODE": "proxy"])
        #expect(fromEnvironment.count == 1 && fromEnvironment.first?.hasPrefix("environment NEURAL_TERMINAL_AUTH_MODE") == true, "\(fromEnvironment)")
        // With a proxy to believe, it may listen anywhere.
        #expect(configErrors("[server]\nlisten = \"0.0.0.0:8080\"\ntrusted_proxies = \"10.0.0.2, ::1\"\n[auth]\nmode = \"proxy\"").isEmpty)
    }

    @Test("a trusted_proxies list that is itself refused gives one error, not a second about proxy mode")
    func noFollowOnError() {
        let errors = configErrors("[server]\ntrusted_proxies = \"proxy.lan\"\n[auth]\nmode = \"proxy\"")
        #expect(errors.count == 1 && errors.first?.contains("must be IP addresses") == true, "\(errors)")
    }

    @Test("the user header must be an HTTP field name")
    func headerName() throws {
        for good in ["Remote-User", "X-Forwarded-User", "X-Auth-Request-Email", "Tailscale-User-Login", "x_user"] {
            #expect(try config("[auth]\nproxy_user_header = \"\(good)\"").auth.proxyUserHeader == good)
        }
        for bad in ["", "Remote User", "X-User:", "Remote-User\\r\\nX-Evil: 1", "Üser"] {
            let errors = configErrors("[auth]\nproxy_user_header = \"\(bad)\"")
            #expect(errors.count == 1 && errors.first?.contains("'auth.proxy_user_header' must be an HTTP header name") == true, "\(bad): \(errors)")
        }
        #expect(configErrors("[auth]\nproxy_create_accounts = \"true\"").first?.contains("not a string") == true)
    }

    @Test("the commands that manage accounts still load a proxy config that lacks its proxies, to fix it")
    func accessCommandsLoad() throws {
        let loaded = try ConfigLoader.parse("[auth]\nmode = \"proxy\"", file: "nt.toml", environment: [:], forAccessCommands: true)
        #expect(loaded.authMode == .proxy)
    }
}
