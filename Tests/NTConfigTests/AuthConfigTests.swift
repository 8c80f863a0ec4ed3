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
        #expect(configErrors("[auth]\nmode = \"basic\"") == ["nt.toml:2: 'auth.mode' must be one of none, password (got 'basic')"])
        let errors = configErrors("[auth]\npassword_hash = \"hunter2-plain\"")
        #expect(errors.count == 1 && errors.first?.contains("bcrypt") == true && errors.first?.contains("hunter2") == false)
        #expect(configErrors("[auth]\nmode = \"password\"\npassword_hash = \"\(hash)\"").isEmpty)
        #expect(configErrors("[auth]\nsession_max_hours = 0").count == 1)
        for key in ConfigSchema.keyPaths where key.hasPrefix("auth.") {
            #expect(ConfigSchema.reloadEffect(of: key) == .inPlace, "\(key)")
        }
    }
}
