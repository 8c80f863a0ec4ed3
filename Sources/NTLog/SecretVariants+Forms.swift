/// How the forms of a secret are built: its core, percent-encoding and the base64 runs.
extension SecretVariants {
    /// The secret without a known key prefix, when enough remains; otherwise the whole secret.
    static func core(of secret: [UInt8]) -> [UInt8] {
        for prefix in keyPrefixes where secret.count - prefix.count >= minimumCoreBytes {
            if zip(prefix, secret).allSatisfy({ $0 == lowercased($1) }) { return Array(secret.dropFirst(prefix.count)) }
        }
        return secret
    }

    /// `bytes` with every byte outside RFC 3986's unreserved set written as `%XX`.
    static func percentEncoded(_ bytes: [UInt8]) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            if isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~") {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return out
    }

    static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The base64 characters (standard alphabet) that depend only on `core` when it starts `offset` bytes into a
    /// 3-byte group of the encoded text: character `j` holds bits `6j..<6j+6`, kept when they all lie in the core.
    static func base64Run(of core: [UInt8], offset: Int) -> [UInt8] {
        let plain = [UInt8](repeating: 0, count: offset) + core + [0, 0]
        let firstBit = 8 * offset
        let endBit = 8 * (offset + core.count)
        var run: [UInt8] = []
        for character in ((firstBit + 5) / 6)..<(endBit / 6) {
            let bit = 6 * character
            let pair = UInt16(plain[bit / 8]) << 8 | UInt16(plain[bit / 8 + 1])
            run.append(base64Alphabet[Int((pair >> (10 - UInt16(bit % 8))) & 0x3F)])
        }
        return run
    }

    /// The URL-safe alphabet's character for a standard one.
    static func urlSafe(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "+"): UInt8(ascii: "-")
        case UInt8(ascii: "/"): UInt8(ascii: "_")
        default: byte
        }
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }
}
