import Foundation
import NTSystem

/// The fake OpenRouter (the `fake-openrouter` product) on a free loopback port, for one test.
final class FakeUpstream: @unchecked Sendable {
    let process = Process()
    let port: Int

    static var binary: String {
        URL(fileURLWithPath: Appliance.binary).deletingLastPathComponent().appendingPathComponent("fake-openrouter").path
    }

    init(arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--port", "0", "--quiet"] + arguments
        let line = try startReadingFirstLine(process)
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression),
              let port = Int(text[range].split(separator: ":").last ?? "") else {
            throw Timeout(description: "fake-openrouter did not report its port: \(text)")
        }
        self.port = port
    }

    var baseURL: String { "http://127.0.0.1:\(port)/api/v1" }

    /// `/_fake/stats` as a dictionary.
    func stats() throws -> [String: Any] {
        let answer = try HTTPProbe.fetch("http://127.0.0.1:\(port)/_fake/stats", timeoutSeconds: 3)
        return (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]) ?? [:]
    }

    func stop() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }
}

/// Kills `pid` and its children with SIGKILL (a child started from the test runner may have SIGTERM blocked).
func killTree(_ pid: Int32) {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    for child in entries.compactMap(Int32.init) {
        guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 2, Int32(fields[1]) == pid { kill(child, SIGKILL) }
    }
    kill(pid, SIGKILL)
}

/// TLS in front of a fake upstream (scripts/fake-openrouter-tls.sh, stunnel), with its throw-away CA file.
final class TLSFront: @unchecked Sendable {
    let process = Process()
    let port: Int
    let caFile: String

    static var available: Bool {
        ["/usr/bin/stunnel4", "/usr/bin/stunnel"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    init(forwardingTo httpPort: Int) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/fake-openrouter-tls.sh").path
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, String(httpPort)]
        let line = try startReadingFirstLine(process)
        let object = (try? JSONSerialization.jsonObject(with: line) as? [String: String]) ?? [:]
        guard let listening = object["listening_tls"], let port = Int(listening.split(separator: ":").last ?? ""),
              let ca = object["ca_file"] else {
            throw Timeout(description: "the TLS front did not start: \(String(decoding: line, as: UTF8.self))")
        }
        self.port = port
        self.caFile = ca
    }

    func stop() {
        if process.isRunning {
            killTree(process.processIdentifier)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: caFile).deletingLastPathComponent().path)
    }
}

/// Starts `process` (tracked for clean-up) and returns the first line it prints: the test tools announce where
/// they listen that way.
func startReadingFirstLine(_ process: Process) throws -> Data {
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    LeftoverProcesses.track(process.processIdentifier)
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
        let chunk = pipe.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        line.append(chunk)
    }
    return line
}
