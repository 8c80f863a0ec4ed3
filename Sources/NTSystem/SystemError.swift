#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed system call, carrying the call's name and `errno`, so a log line says which call failed and why.
public struct SystemError: Error, Sendable, CustomStringConvertible {
    /// The name of the failed call, e.g. `bind`.
    public let call: String
    /// The `errno` value the call left behind.
    public let code: Int32

    public init(_ call: String, code: Int32 = errno) {
        self.call = call
        self.code = code
    }

    public var description: String {
        "\(call): \(String(cString: strerror(code))) (errno \(code))"
    }
}
