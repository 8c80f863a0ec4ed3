import Foundation

/// A server a test runs from Debian's packages (nginx, Prometheus, HAProxy) in the foreground: tracked from its
/// start so a test run that dies leaves nothing behind, stopped and reaped with its folder.
extension Process {
    /// Starts `binary` with `arguments`, its output and errors written to `log` (created empty).
    func runServer(_ binary: String, _ arguments: [String], log: String) throws {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        executableURL = URL(fileURLWithPath: binary)
        self.arguments = arguments
        standardOutput = FileHandle(forWritingAtPath: log)
        standardError = FileHandle(forWritingAtPath: log)
        try run()
        LeftoverProcesses.track(processIdentifier)
    }

    /// Stops the server (SIGTERM), reaps it and removes `directory`, its folder.
    func stopServer(removing directory: URL) {
        if isRunning {
            terminate()
            waitUntilExit()
        }
        LeftoverProcesses.forget(processIdentifier)
        try? FileManager.default.removeItem(at: directory)
    }
}
