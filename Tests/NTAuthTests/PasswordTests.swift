import NTAuth
import Testing

@Suite("The appliance password")
struct PasswordTests {
    @Test("a hash verifies its own password and no other, and each hash has a fresh salt")
    func hashAndVerify() {
        let hash = Password.hash("correct horse battery")
        #expect(Password.isBcryptHash(hash))
        #expect(hash.hasPrefix("$2b$12$"))
        #expect(Password.verify("correct horse battery", hash: hash))
        #expect(!Password.verify("correct horse batterY", hash: hash))
        #expect(!Password.verify("", hash: hash))
    }

    @Test("a hash made by another bcrypt implementation verifies", arguments: ["$2a$", "$2b$", "$2y$"])
    func foreignHash(prefix: String) {
        // Made by pyca/bcrypt (Python): bcrypt.hashpw(b"secret-password", bcrypt.gensalt(4)); $2y$ (PHP,
        // htpasswd) is the same algorithm under another name.
        let hash = prefix + "04$DtQeqo5aqzsU4XYE93mMPuhvFhRWvNFYe3D66oKIFm.hUdS7mp4.e"
        #expect(Password.isBcryptHash(hash))
        #expect(Password.verify("secret-password", hash: hash))
        #expect(!Password.verify("secret-passwore", hash: hash))
    }

    @Test("malformed hashes never match and are not hashes", arguments: [
        "", "plain-text-password", "$2b$12$short", "$1$abcdefgh$abcdefghijklmnopqrstuv",
        "$2b$99$" + String(repeating: "a", count: 53), "$2b$12$" + String(repeating: "!", count: 53),
    ])
    func malformed(hash: String) {
        #expect(!Password.isBcryptHash(hash))
        #expect(!Password.verify("anything at all", hash: hash))
    }

    @Test("a new password must be long enough, fit bcrypt's 72 bytes and hold no control characters")
    func rules() {
        #expect(Password.problem(with: "short") != nil)
        #expect(Password.problem(with: "long enough password") == nil)
        #expect(Password.problem(with: String(repeating: "x", count: 73))?.contains("72 bytes") == true)
        #expect(Password.problem(with: "line\nbreak in it") != nil)
        #expect(Password.problem(with: "ünïcödé pässwörd") == nil)
    }

    @Test("the fingerprint changes with the hash, so a new password ends old sessions")
    func fingerprint() {
        let a = Password.fingerprint(ofHash: "$2b$12$" + String(repeating: "a", count: 53))
        let b = Password.fingerprint(ofHash: "$2b$12$" + String(repeating: "b", count: 53))
        #expect(a.count == 16 && a != b)
    }
}

@Suite("Secrets")
struct SecretsTests {
    @Test("random text is 256 bits of base64url, different every time")
    func randomText() {
        let a = Secrets.randomText(bytes: 32), b = Secrets.randomText(bytes: 32)
        #expect(a.count == 43 && b.count == 43 && a != b)
        #expect(a.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    @Test("the stored form of a secret is its SHA-256, never the secret")
    func stored() {
        #expect(Secrets.storedHash(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
