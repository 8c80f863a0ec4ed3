import Foundation

/// Running the binary's operator commands against a test appliance.
extension Appliance {
    struct CommandResult {
        let code: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `neural-terminal <arguments> --config <this appliance's config>` to completion.
    func cli(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) async throws -> CommandResult {
        try await Self.run(Self.binary, arguments + ["--config", configPath], environment: environment, stdin: stdin)
    }

    /// Runs `executable` to completion; `stdin`, when given, is its standard input (else it inherits ours).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) async throws -> CommandResult {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: executable)
                    process.arguments = arguments
                    var env = ProcessInfo.processInfo.environment
                    for (key, value) in environment { env[key] = value }
                    process.environment = env
                    let out = Pipe(), err = Pipe()
                    process.standardOutput = out
                    process.standardError = err
                    let input = Pipe()
                    if stdin != nil { process.standardInput = input }
                    try process.run()
                    if let stdin {
                        input.fileHandleForWriting.write(Data(stdin.utf8))
                        try? input.fileHandleForWriting.close()
                    }
                    let stdout = out.fileHandleForReading.readDataToEndOfFile()
                    let stderr = err.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    return CommandResult(
                        code: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                        stderr: String(decoding: stderr, as: UTF8.self)
                    )
                })
            }
        }
    }

    var dataDirectory: String { directory.path + "/data" }
    var backupDirectory: String { dataDirectory + "/backups" }

    /// The backup files (`.db.zst`) in the default backup directory, oldest first.
    func backupFiles(in directory: String? = nil) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory ?? backupDirectory)) ?? [])
            .filter { $0.hasSuffix(".db.zst") && !$0.hasPrefix(".") }.sorted()
    }

    /// Creates a conversation; returns its id.
    @discardableResult
    func createConversation(_ title: String) async throws -> String {
        let answer = try await RawHTTP.send("POST", port: webPort, path: "/api/conversations", json: #"{"title":"\#(title)"}"#)
        guard answer.status == 201, let id = answer.object?["id"] as? String else {
            throw Timeout(description: "creating a conversation answered \(answer.status): \(answer.body)")
        }
        return id
    }

    /// `total` of `GET /api/conversations`.
    func conversationCount() async throws -> Int {
        let answer = try await RawHTTP.send("GET", port: webPort, path: "/api/conversations?limit=1")
        return answer.object?["total"] as? Int ?? -1
    }

    /// The value of one sample in `/metrics` (the line starting with `series`), if present.
    func metricValue(_ series: String) throws -> Double? {
        let body = try metrics("/metrics").body
        guard let line = body.split(separator: "\n").first(where: { $0.hasPrefix(series + " ") }) else { return nil }
        return Double(line.split(separator: " ").last ?? "")
    }
}

/// Latencies of a loop of requests, and its failures.
actor LatencyLog {
    private(set) var samples: [Double] = []
    private(set) var failures: [String] = []

    func record(_ seconds: Double) { samples.append(seconds) }
    func fail(_ what: String) { failures.append(what) }

    /// The `p` quantile (0…1) in milliseconds.
    func quantileMs(_ p: Double) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)] * 1000
    }
}
