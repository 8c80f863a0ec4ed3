import NTConfig
import Testing

@Suite("Loading configuration files")
struct ConfigLoaderTests {
    @Test("the path comes from NEURAL_TERMINAL_CONFIG, else etc/neural-terminal.toml")
    func defaultPath() {
        #expect(ConfigLoader.defaultPath(environment: [:]) == "etc/neural-terminal.toml")
        #expect(ConfigLoader.defaultPath(environment: ["NEURAL_TERMINAL_CONFIG": ""]) == "etc/neural-terminal.toml")
        #expect(ConfigLoader.defaultPath(environment: ["NEURAL_TERMINAL_CONFIG": "/etc/nt.toml"]) == "/etc/nt.toml")
    }

    @Test("a file is loaded with its errors prefixed by its path")
    func loadsFile() throws {
        let path = temporaryFile("[server]\nlisten = \"127.0.0.1:8081\"\n")
        defer { removeFile(path) }
        #expect(try ConfigLoader.load(path: path, environment: [:]).server.listen == "127.0.0.1:8081")
        let bad = temporaryFile("[server]\nlistn = \"x\"\n")
        defer { removeFile(bad) }
        #expect(throws: ConfigErrors([ConfigError(file: bad, line: 2, message: "unknown key 'server.listn'; did you mean 'server.listen'?")])) {
            try ConfigLoader.load(path: bad, environment: [:])
        }
    }

    @Test("an unreadable file is one error at line 0 with the system's reason")
    func unreadable() {
        #expect(throws: ConfigErrors([ConfigError(file: "/nonexistent/nt.toml", line: 0, message: "cannot read: No such file or directory")])) {
            try ConfigLoader.load(path: "/nonexistent/nt.toml", environment: [:])
        }
        #expect(throws: ConfigErrors([ConfigError(file: "/tmp", line: 0, message: "cannot read: Is a directory")])) {
            try ConfigLoader.load(path: "/tmp", environment: [:])
        }
    }

    @Test("a file that is not UTF-8 is refused at the first bad line")
    func notUTF8() throws {
        let path = temporaryFile("")
        defer { removeFile(path) }
        try writeBytes(Array("a = 1\n\n# caf".utf8) + [0xE9] + Array("\n".utf8), to: path)
        #expect(throws: ConfigErrors([ConfigError(file: path, line: 3, message: "not valid UTF-8")])) {
            try ConfigLoader.load(path: path, environment: [:])
        }
    }

    @Test("a byte-order mark at the start is ignored")
    func byteOrderMark() throws {
        #expect(try config("\u{FEFF}[log]\nlevel = \"debug\"").logLevel == .debug)
    }

    @Test("errors print as file:line: message, one per line")
    func rendering() {
        let errors = ConfigErrors([
            ConfigError(file: "etc/nt.toml", line: 12, message: "unknown key 'server.listn'; did you mean 'server.listen'?"),
            ConfigError(variable: "NEURAL_TERMINAL_LOG_LEVEL", file: "etc/nt.toml", message: "bad"),
        ])
        #expect(errors.description == """
            etc/nt.toml:12: unknown key 'server.listn'; did you mean 'server.listen'?
            environment NEURAL_TERMINAL_LOG_LEVEL: bad
            """)
    }
}
