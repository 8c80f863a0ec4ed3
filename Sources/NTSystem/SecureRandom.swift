import CNTSupport
import Glibc

/// Bytes from the kernel's CSPRNG in one `getrandom(2)` call. `SystemRandomNumberGenerator` makes one call per
/// 8 bytes, and `UInt8.random(using:)` one per byte: a UUID built byte by byte cost 16 system calls, and one chat
/// turn made 52.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            var filled = 0
            while filled < count {
                let got = nt_getrandom(buffer.baseAddress! + filled, UInt(count - filled))
                if got > 0 {
                    filled += got
                } else if got < 0 && errno != EINTR {
                    // getrandom only fails before the pool is initialised (early boot) or with bad arguments.
                    var generator = SystemRandomNumberGenerator()
                    while filled < count {
                        buffer[filled] = UInt8.random(in: .min ... .max, using: &generator)
                        filled += 1
                    }
                }
            }
        }
        return bytes
    }
}
