#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NTLog
import Testing

/// Lines leave the process whole: one write of the complete line, retried until every byte is out.
@Suite("Writing lines")
struct StandardOutputTests {
    @Test("a line written to a pipe arrives complete and unchanged")
    func pipeRoundTrip() throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let line = Array("{\"msg\":\"東京 \\n ok\"}\n".utf8)
        let ok = line.withUnsafeBytes { StandardOutput.writeFully(fileDescriptor: fds[1], $0) }
        close(fds[1])
        #expect(ok)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if count <= 0 { break }
            received += buffer[..<count]
        }
        #expect(received == line)
    }

    @Test("writing to a closed descriptor reports failure instead of crashing or looping")
    func closedDescriptor() {
        let ok = Array("x\n".utf8).withUnsafeBytes { StandardOutput.writeFully(fileDescriptor: -1, $0) }
        #expect(!ok)
    }
}
