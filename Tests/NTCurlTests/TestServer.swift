import Glibc
import NTCurl

/// The shared local upstream (see `testServerScript`), started once per test process with `posix_spawn`.
struct TestServer: Sendable {
    let port: Int
    /// Port of the HTTPS twin, 0 when `openssl` was unavailable.
    let tlsPort: Int
    /// The self-signed certificate of the HTTPS twin, to pass as `caFile`.
    let certificate: String

    static let shared: TestServer = start()

    /// `http://127.0.0.1:<port><path>`.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// `https://127.0.0.1:<tls port><path>`.
    func tlsURL(_ path: String) -> String { "https://127.0.0.1:\(tlsPort)\(path)" }

    /// A plain GET of a small test-control endpoint (`/stats`, `/progress`, `/observed`).
    func get(_ path: String, client: CurlClient) async throws -> (status: Int, text: String) {
        let response = try await client.fetch(CurlRequest(url: url(path)), maxBytes: 1 << 16)
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    private static func start() -> TestServer {
        var toChild: [Int32] = [0, 0]
        var fromChild: [Int32] = [0, 0]
        precondition(pipe(&toChild) == 0 && pipe(&fromChild) == 0)
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        let python = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3"
        let arguments = [python, "-u", "-c", testServerScript]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, python, &actions, nil, &argv, environ)
        precondition(rc == 0, "cannot start \(python): \(rc)")
        argv.forEach { free($0) }
        posix_spawn_file_actions_destroy(&actions)
        close(toChild[0])
        close(fromChild[1])
        // toChild[1] stays open (and close-on-exec) for the life of the test process: its EOF stops the server.
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(fromChild[0], &byte, 1) == 1, byte != 10 { line.append(byte) }
        close(fromChild[0])
        let fields = String(decoding: line, as: UTF8.self).split(separator: " ").map(String.init)
        precondition(fields.count == 3, "the test server did not start: \(fields)")
        return TestServer(port: Int(fields[0])!, tlsPort: Int(fields[1])!, certificate: fields[2])
    }
}

/// CLOCK_MONOTONIC in seconds, comparable with Python's `time.monotonic()` in the server.
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Resident set size of this process, in bytes.
func residentBytes() -> Int {
    var fields = readProcFile("/proc/self/statm").split(separator: " ")
    fields = fields.count >= 2 ? fields : ["0", "0"]
    return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// The number of threads in this process.
func threadCount() -> Int {
    for line in readProcFile("/proc/self/status").split(separator: "\n") where line.hasPrefix("Threads:") {
        return Int(line.dropFirst(8).trimmingPrefix(while: { $0 == " " || $0 == "\t" })) ?? 0
    }
    return 0
}

/// The number of this process's threads named `name` (as set through PR_SET_NAME).
func threadCount(named name: String) -> Int {
    guard let directory = opendir("/proc/self/task") else { return 0 }
    defer { closedir(directory) }
    var count = 0
    while let entry = readdir(directory) {
        let tid = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if tid.first?.isNumber == true, readProcFile("/proc/self/task/\(tid)/comm") == name + "\n" { count += 1 }
    }
    return count
}

/// An unused local port: bound, then closed, so that connecting to it is refused.
func closedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = loopback(port: 0)
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    return address
}

private func readProcFile(_ path: String) -> String {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return "" }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = read(fd, &buffer, buffer.count)
        if count <= 0 { break }
        bytes += buffer[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}
