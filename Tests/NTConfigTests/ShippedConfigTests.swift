import FoundationEssentials
import NTConfig
import Testing

@Suite("Defaults and the shipped configuration file")
struct ShippedConfigTests {
    @Test("an empty file is a valid configuration holding every default")
    func emptyFile() throws {
        let defaults = try config("")
        #expect(defaults == AppConfig())
        #expect(defaults.server.listen == "127.0.0.1:8080")
        #expect(defaults.server.maxBodyBytes == 1_048_576)
        #expect(defaults.metrics.listen == "127.0.0.1:9090")
        #expect(defaults.storage.dataDir == "./data")
        #expect(defaults.upstream.baseURL == "https://openrouter.ai/api/v1")
        #expect(defaults.upstream.title == "Neural Terminal")
        #expect(defaults.upstream.totalTimeoutSeconds == 600)
        #expect(defaults.logLevel == .info)
        #expect(defaults.supervisor.restartMaxBackoffMs == 30_000)
        #expect(defaults.memory.limitMB == 256)
        #expect(defaults.maintenance.tickSeconds == 60)
        #expect(defaults.upstreamAPIKey == nil)
    }

    @Test("etc/neural-terminal.toml loads to exactly the defaults")
    func shippedFileIsDefaults() throws {
        let loaded = try ConfigLoader.load(path: repositoryPath("etc/neural-terminal.toml"), environment: [:])
        #expect(loaded == AppConfig())
    }

    @Test("uncommenting every documented default in the shipped file changes nothing")
    func documentedDefaultsAreTheDefaults() throws {
        let text = try repositoryFile("etc/neural-terminal.toml")
        let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            Self.commentedSetting(line).map(String.init) ?? String(line)
        }.joined(separator: "\n")
        #expect(uncommented != text)
        #expect(try config(uncommented) == AppConfig())
    }

    @Test("the shipped file documents every key exactly once")
    func shippedFileListsEveryKey() throws {
        var section = ""
        var documented: [String] = []
        for line in try repositoryFile("etc/neural-terminal.toml").split(separator: "\n") {
            if line.hasPrefix("[") { section = String(line.dropFirst().dropLast()) }
            if let setting = Self.commentedSetting(line) {
                documented.append(section + "." + setting.prefix { $0 != " " })
            }
        }
        #expect(documented == ConfigSchema.keyPaths)
    }

    @Test("docs/configuration.md describes every key and its reload effect")
    func docsListEveryKey() throws {
        let docs = try repositoryFile("docs/configuration.md")
        for key in ConfigSchema.keyPaths {
            let row = docs.split(separator: "\n").first { $0.hasPrefix("| `\(key)`") }
            #expect(row != nil, "no row for \(key)")
            if let row, let effect = ConfigSchema.reloadEffect(of: key) {
                #expect(row.contains(effect.description), "\(key) should say '\(effect)'")
            }
        }
    }

    @Test("the configuration survives a JSON round trip, API key included")
    func jsonRoundTrip() throws {
        var original = try config("[server]\nlisten = \"[::1]:0\"\n[upstream]\nidle_timeout_seconds = 2.5")
        original.upstreamAPIKey = "sk-or-secret"
        let json = try JSONEncoder().encode(original)
        #expect(try JSONDecoder().decode(AppConfig.self, from: json) == original)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"maxBodyBytes\""), "JSON uses Swift names")
        #expect(text.contains("\"upstreamAPIKey\""))
    }

    @Test("the run directory defaults to <data_dir>/run")
    func runDirectory() throws {
        #expect(AppConfig().resolvedRunDir == "./data/run")
        #expect(try config("[storage]\ndata_dir = \"/var/lib/nt/\"").resolvedRunDir == "/var/lib/nt/run")
        #expect(try config("[supervisor]\nrun_dir = \"/run/nt\"").resolvedRunDir == "/run/nt")
    }

    @Test("log levels are ordered like swift-log's")
    func logLevels() throws {
        #expect(try config("[log]\nlevel = \"warning\"").logLevel == .warning)
        #expect(LogLevel.trace < LogLevel.debug && LogLevel.error < LogLevel.critical)
        #expect(LogLevel.allCases.map(\.rawValue) == ["trace", "debug", "info", "notice", "warning", "error", "critical"])
    }

    /// `# key = value` → `key = value`; nil for prose comments and everything else.
    static func commentedSetting(_ line: Substring) -> Substring? {
        guard line.hasPrefix("# ") else { return nil }
        let rest = line.dropFirst(2)
        let name = rest.prefix { $0.isLowercase || $0 == "_" }
        guard !name.isEmpty, rest.dropFirst(name.count).hasPrefix(" = ") else { return nil }
        return rest
    }
}
