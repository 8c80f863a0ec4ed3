import Foundation
import NTBackup
import NTFiles
import Testing

@Suite("BackupCatalog.hashFile streams a file through SHA-256")
struct HashFileTests {
    @Test("a file spanning several read buffers (3 MiB + 17 bytes of 'a', digest from coreutils' sha256sum)")
    func fileAcrossReadBuffers() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path + "/a.bin"
        let length = 3 * (1 << 20) + 17
        try Data(repeating: UInt8(ascii: "a"), count: length).write(to: URL(fileURLWithPath: path))
        var reported: [Int] = []
        let digest = try BackupCatalog.hashFile(path) { reported.append($0) }
        #expect(digest == "8cb91458835f2fefeb12cf01e67a7ea18523a0567d4835a974dc04c2ddbb955b")
        #expect(reported.count == (length + FileOps.chunk - 1) / FileOps.chunk && reported.count > 1 && reported.last == length)
    }
}
