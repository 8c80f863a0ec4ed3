import ArgumentParser

/// `neural-terminal check-config`: validate a config file without starting anything.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the config file; print every error as file:line: message (exit 78 on error)."
    )

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try options.load()
        print("\(options.path): ok (web \(config.server.listen), metrics \(config.metrics.listen), data \(config.storage.dataDir))")
    }
}
