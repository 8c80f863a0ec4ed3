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
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
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
