#if canImport(Glibc)
import Glibc
#endif
import NTConfig

/// Parses `text` as `nt.toml` with `environment`; fails the test on any error.
func config(_ text: String, environment: [String: String] = [:]) throws -> AppConfig {
    try ConfigLoader.parse(text, file: "nt.toml", environment: environment)
}

/// The errors `text` produces as `nt.toml`, rendered one string each; empty if it is valid.
func configErrors(_ text: String, environment: [String: String] = [:]) -> [String] {
    do {
        _ = try ConfigLoader.parse(text, file: "nt.toml", environment: environment)
        return []
    } catch let errors as ConfigErrors {
        return errors.errors.map(\.description)
    } catch {
        return ["unexpected error: \(error)"]
    }
}

/// Writes `contents` to a new temporary file and returns its path.
func temporaryFile(_ contents: String) -> String {
    var template = Array("/tmp/ntconfig-test-XXXXXX".utf8CString)
    let fd = mkstemp(&template)
    precondition(fd >= 0, "mkstemp failed")
    let bytes = Array(contents.utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Deletes a file made by `temporaryFile`.
func removeFile(_ path: String) {
    unlink(path)
}

/// Reads a text file of the repository, addressed relative to this test file.
func repositoryFile(_ relativePath: String, from testFile: String = #filePath) throws -> String {
    let path = repositoryPath(relativePath, from: testFile)
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw MissingFile(path: path) }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count <= 0 { break }
        bytes += buffer[..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// The path of a repository file, found from this file's `#filePath` (Tests/NTConfigTests/ is two levels down).
func repositoryPath(_ relativePath: String, from testFile: String = #filePath) -> String {
    let repository = testFile.split(separator: "/", omittingEmptySubsequences: false).dropLast(3)
    return (repository + [Substring(relativePath)]).joined(separator: "/")
}

struct MissingFile: Error {
    let path: String
}

/// Overwrites `path` with raw bytes (for files that are deliberately not UTF-8).
func writeBytes(_ bytes: [UInt8], to path: String) throws {
    let fd = open(path, O_WRONLY | O_TRUNC)
    guard fd >= 0 else { throw MissingFile(path: path) }
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}
