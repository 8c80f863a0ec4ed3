import Foundation

/// Runs Prometheus' own linter, `promtool check metrics`, the judge of a valid exposition.
enum Promtool {
    static let path = "/usr/bin/promtool"

    /// Whether promtool (Debian package `prometheus`) is installed; tests needing it are skipped otherwise.
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// The exit status and the combined stdout and stderr of `promtool check metrics < text`.
    static func check(_ text: String) throws -> (status: Int32, output: String) {
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("ntmetrics-\(UUID().uuidString).prom")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let input = try FileHandle(forReadingFrom: file)
        defer { try? input.close() }
        let output = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["check", "metrics"]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
