import Foundation

/// Secret files for tests: written with mode 0600 (as an operator should), in their own temporary folder.
enum SecretFiles {
    /// Writes `contents` plus a newline to a new private file and returns its path.
    static func write(_ contents: String, name: String = "secret") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nt-secret-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = folder.appendingPathComponent(name).path
        try rewrite(path, contents)
        return path
    }

    /// Replaces the contents of `path`, keeping it private.
    static func rewrite(_ path: String, _ contents: String) throws {
        try (contents + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
    }

    /// Removes the folder made by `write`.
    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }
}

extension Appliance {
    /// `/ready` parsed: status code, `checks` and `notes`.
    func readiness() throws -> (status: Int, checks: [String: String], notes: [String: String]) {
        let answer = try metrics("/ready")
        let object = (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]) ?? [:]
        return (answer.status, object["checks"] as? [String: String] ?? [:], object["notes"] as? [String: String] ?? [:])
    }

    /// Waits until `/ready` reports `upstream_key` as `state`; returns the last readiness seen.
    @discardableResult
    func waitForKeyState(_ state: String, timeout: Double = 15) async throws -> (status: Int, checks: [String: String], notes: [String: String]) {
        try await eventually(timeout: timeout, "upstream_key \(state)") {
            (try? self.readiness().checks["upstream_key"]) == state
        }
        return try readiness()
    }
}
