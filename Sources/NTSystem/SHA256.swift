import CCrypto

/// SHA-256, streaming: `update` with any number of chunks, then `finalize`. Backup and archive checksums, pinned
/// migrations and the stored hashes of session ids and API tokens (NTAuth) use it.
///
/// The hashing is OpenSSL's libcrypto, linked into the binary already for libcurl's TLS (ADR 0003, ADR 0007):
/// assembly-optimised (SHA extensions where the CPU has them) and the implementation FIPS 140 validation covers.
/// A value type like any other: a copy hashes on independently of the original (the state is copied on the
/// first write after a copy). A failure of libcrypto itself (no memory, SHA-256 missing from its provider)
/// stops the process: no caller could do anything sound with a missing checksum.
public struct SHA256: Sendable {
    private var state: State

    public init() {
        state = State()
    }

    /// The hex digest of `bytes`.
    public static func hex<C: Collection>(of bytes: C) -> String where C.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(Array(bytes))
        return hasher.finalizeHex()
    }

    /// Adds bytes to the message.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Adds bytes to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let context = uniqueState()
        Self.require(nt_sha256_update(context, base, bytes.count) == 1, "update")
    }

    /// Ends the message and returns the 32-byte digest; the hasher starts over with an empty message.
    public mutating func finalize() -> [UInt8] {
        let context = uniqueState()
        return [UInt8](unsafeUninitializedCapacity: 32) { digest, count in
            Self.require(nt_sha256_finalize(context, digest.baseAddress!) == 1, "finalize")
            count = 32
        }
    }

    /// Ends the message and returns the digest as 64 lowercase hex digits; the hasher starts over.
    public mutating func finalizeHex() -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in finalize() {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The libcrypto state, copied first when another `SHA256` value shares it.
    private mutating func uniqueState() -> OpaquePointer {
        if !isKnownUniquelyReferenced(&state) { state = State(copying: state) }
        return state.context
    }

    fileprivate static func require(_ succeeded: Bool, _ step: String) {
        guard succeeded else { fatalError("libcrypto's SHA-256 failed (\(step)): out of memory or no SHA-256 in its default provider") }
    }

    /// Owns one libcrypto hashing state (an EVP_MD_CTX).
    ///
    /// `@unchecked Sendable`: the state is mutated only through `SHA256`'s mutating methods, after
    /// `isKnownUniquelyReferenced` has given that value its own copy, so no two threads ever touch one state.
    private final class State: @unchecked Sendable {
        let context: OpaquePointer

        init() {
            let made = nt_sha256_new()
            SHA256.require(made != nil, "new")
            context = made!
        }

        init(copying other: State) {
            let made = nt_sha256_copy(other.context)
            SHA256.require(made != nil, "copy")
            context = made!
        }

        deinit { nt_sha256_free(context) }
    }
}
