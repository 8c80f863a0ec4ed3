import Foundation
import Testing

/// What a shell user expects of the command line: an example in every command's `--help`, and completion
/// scripts the shells accept.
@Suite(.timeLimit(.minutes(2)))
struct CLIConventionsTests {
    /// The visible commands as argument paths (`[]` is the root, `["token", "create"]` a nested one), read from the
    /// binary's own description of itself, so a command added later is checked without touching this test.
    /// ArgumentParser's built-in `help` and hidden commands (`worker`) are left out.
    func visibleCommands() async throws -> [[String]] {
        let dump = try await Appliance.run(Appliance.binary, ["--experimental-dump-help"])
        #expect(dump.code == 0, "\(dump.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var paths: [[String]] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            paths.append(path)
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                guard let name = sub["commandName"] as? String, name != "help", sub["shouldDisplay"] as? Bool != false else { continue }
                walk(sub, path + [name])
            }
        }
        walk(try #require(root["command"] as? [String: Any]), [])
        return paths
    }

    @Test func everyCommandsHelpShowsAnExample() async throws {
        let commands = try await visibleCommands()
        #expect(commands.count >= 17, "the root, 13 commands and token's 3: \(commands)")
        #expect(commands.contains(["token", "create"]) && commands.contains(["backup"]) && !commands.contains(["worker"]))
        for path in commands {
            let help = try await Appliance.run(Appliance.binary, path + ["--help"])
            let name = (["neural-terminal"] + path).joined(separator: " ")
            #expect(help.code == 0, "\(name) --help: \(help.stderr)")
            #expect(help.stdout.contains("Example"), "\(name) --help shows no example")
            #expect(help.stdout.contains("\n  \(name)"), "\(name)'s example does not run \(name)")
        }
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptsAreGeneratedAndParse(shell: String) async throws {
        let script = try await Appliance.run(Appliance.binary, ["--generate-completion-script", shell])
        #expect(script.code == 0, "\(script.stderr)")
        for command in ["check-config", "backups", "restore", "token"] {
            #expect(script.stdout.contains(command), "\(shell) completion lacks \(command)")
        }
        // Checked with the shell itself when it is installed (Debian's bash always is; zsh and fish are optional).
        let check: [String: [String]] = ["bash": ["-n"], "zsh": ["-n"], "fish": ["--no-execute"]]
        guard let executable = ["/usr/bin/\(shell)", "/bin/\(shell)"].first(where: FileManager.default.isExecutableFile) else {
            #expect(shell != "bash", "bash is missing")
            return
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nt-completion-\(UUID().uuidString.prefix(8)).\(shell)")
        try script.stdout.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let parsed = try await Appliance.run(executable, (check[shell] ?? []) + [file.path])
        #expect(parsed.code == 0, "\(shell) refuses the script: \(parsed.stderr)")
    }
}
