import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A pseudo-terminal to give an appliance as its stdout and stderr, so it sees a terminal (`isatty(1)`) as it
/// does under `make run`. The terminal is in raw mode (no CRLF translation), and a thread copies everything
/// written to it, byte for byte, into a file, until the last process holding it exits.
final class PseudoTerminal: @unchecked Sendable {
    /// The terminal side, for `Process.standardOutput`/`standardError`; close it with `closeTerminalSide()` once
    /// the process has started.
    let terminal: FileHandle
    private let controller: Int32
    private let terminalFD: Int32

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(copyingTo path: String) throws {
        var pair: (controller: Int32, terminal: Int32) = (-1, -1)
        guard let openpty = Self.openpty, openpty(&pair.controller, &pair.terminal, nil, nil, nil) == 0 else {
            throw Failure(description: "cannot open a pseudo-terminal: errno \(errno)")
        }
        controller = pair.controller
        terminalFD = pair.terminal
        _ = fcntl(controller, F_SETFD, FD_CLOEXEC)
        _ = fcntl(terminalFD, F_SETFD, FD_CLOEXEC)
        var settings = termios()
        tcgetattr(terminalFD, &settings)
        cfmakeraw(&settings)
        tcsetattr(terminalFD, TCSANOW, &settings)
        terminal = FileHandle(fileDescriptor: terminalFD, closeOnDealloc: false)
        let output = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard output >= 0 else { throw Failure(description: "cannot open \(path): errno \(errno)") }
        let controller = controller
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 16_384)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(controller, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }  // EIO: every process holding the terminal side has closed it
                _ = buffer.withUnsafeBytes { write(output, $0.baseAddress, count) }
            }
            close(output)
            close(controller)
        }
    }

    /// glibc's openpty(3), looked up at run time: Swift's Glibc module leaves out the X/Open pty functions.
    private typealias OpenPTY = @convention(c) (
        UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<CChar>?,
        UnsafePointer<termios>?, UnsafeRawPointer?
    ) -> Int32
    private static let openpty: OpenPTY? = dlsym(dlopen(nil, RTLD_NOW), "openpty").map { unsafeBitCast($0, to: OpenPTY.self) }

    /// Closes this process's copy of the terminal side (the appliance keeps its own).
    func closeTerminalSide() {
        close(terminalFD)
    }
}
