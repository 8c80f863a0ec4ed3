import NTSystem

/// Random secrets (session ids, API tokens) and how they are compared and stored.
public enum Secrets {
    /// `count` bytes from the system's CSPRNG (getrandom(2) on Linux), as unpadded base64url text.
    public static func randomText(bytes count: Int) -> String {
        base64URL(SecureRandom.bytes(count))
    }

    /// `count` random bytes as lowercase hex (public ids).
    public static func randomHex(bytes count: Int) -> String {
        SecureRandom.bytes(count).map { byte in String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16) }.joined()
    }

    /// What the database keeps instead of a secret: its hex SHA-256. The secrets are 256 random bits, so a
    /// plain hash (no salt, no stretching) cannot be reversed, and a stolen database opens no session.
    public static func storedHash(of secret: String) -> String {
        SHA256.hex(of: Array(secret.utf8))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * offset) }
            for position in 0..<(chunk.count + 1) { out.append(alphabet[Int((value >> (18 - 6 * position)) & 0x3F)]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
