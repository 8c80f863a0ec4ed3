import NTConfig
import Testing

@Suite("The [archive] section")
struct ArchiveConfigTests {
    @Test("defaults: archive after 90 days, keep them in the database, into <data_dir>/archives")
    func defaults() throws {
        let defaults = try config("")
        #expect(defaults.archive.afterDays == 90)
        #expect(defaults.archive.prune == false)
        #expect(defaults.resolvedArchiveDir == "./data/archives")
        #expect(try config("[storage]\ndata_dir = \"/var/lib/nt/\"").resolvedArchiveDir == "/var/lib/nt/archives")
        #expect(try config("[archive]\ndir = \"/mnt/archives\"").resolvedArchiveDir == "/mnt/archives")
    }

    @Test("prune is a TOML boolean, also from the environment; a quoted or numeric value is refused with a hint")
    func booleans() throws {
        #expect(try config("[archive]\nprune = true").archive.prune == true)
        #expect(try config("archive.prune = false").archive.prune == false)
        #expect(try config("", environment: ["NEURAL_TERMINAL_ARCHIVE_PRUNE": "true"]).archive.prune == true)
        #expect(try config("archive.prune = true", environment: ["NEURAL_TERMINAL_ARCHIVE_PRUNE": "0"]).archive.prune == false)
        #expect(configErrors("[archive]\nprune = \"true\"") == ["nt.toml:2: 'archive.prune' must be true or false, not a string (remove the quotes)"])
        #expect(configErrors("[archive]\nprune = 1") == ["nt.toml:2: 'archive.prune' must be true or false, not an integer"])
        #expect(configErrors("", environment: ["NEURAL_TERMINAL_ARCHIVE_PRUNE": "yes"]).count == 1)
    }

    @Test("after_days is 0 (off) to 36500, and every key applies in place")
    func ranges() {
        #expect(configErrors("[archive]\nafter_days = -1") == ["nt.toml:2: 'archive.after_days' must be between 0 and 36500 (got -1)"])
        #expect(configErrors("[archive]\nafter_days = 36501") == ["nt.toml:2: 'archive.after_days' must be between 0 and 36500 (got 36501)"])
        #expect(configErrors("archive.after_days = 0").isEmpty)
        for key in ConfigSchema.keyPaths where key.hasPrefix("archive.") {
            #expect(ConfigSchema.reloadEffect(of: key) == .inPlace, "\(key)")
        }
        #expect(ConfigSchema.keyPaths.filter { $0.hasPrefix("archive.") } == ["archive.after_days", "archive.prune", "archive.dir"])
    }
}
