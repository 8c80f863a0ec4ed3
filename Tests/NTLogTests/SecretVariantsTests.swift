import Foundation
import NTLog
import Testing

/// The forms of a configured key that an upstream or proxy may echo, as test text, with Foundation as the oracle
/// for the encodings (not the code under test).
enum KeyForms {
    static let secret = "7f3a9c2e5b8d1f4a" + "6c0e3b7d9a2f5c8e" + "1b4d7a0c3f6e9b2d" + "5a8c1f4e7b0d3a6c"
    static let key = "sk-or-v1-" + secret

    /// A named form, and how many of its leading characters encode text before the secret (a key prefix or
    /// `Bearer `), which may stay.
    struct Form: CustomStringConvertible, Sendable {
        let name: String
        let text: String
        let lead: Int
        var description: String { name }
    }

    /// A form holding the secret as text; its lead is where the secret starts.
    static func plain(_ name: String, _ text: String) -> Form {
        let start = text.range(of: secret, options: .caseInsensitive)!.lowerBound
        return Form(name: name, text: text, lead: text.distance(from: text.startIndex, to: start))
    }

    static func base64(_ plain: String, lead prefix: String) -> Form {
        let text = Data(plain.utf8).base64EncodedString()
        return Form(name: "base64 of \(plain.prefix(12))… (\(prefix.utf8.count % 3) mod 3)", text: text, lead: prefix.utf8.count * 8 / 6)
    }

    static let all: [Form] = {
        let header = "Bearer \(key)"
        var forms = [
            plain("exact", key),
            plain("upper case", key.uppercased()),
            plain("without prefix", secret),
            plain("without prefix, upper case", secret.uppercased()),
            plain("mixed case", String(secret.enumerated().map { $0.offset % 2 == 0 ? Character($0.element.uppercased()) : $0.element })),
            plain("URL-encoded header", header.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!),
            plain("URL-encoded key", key.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!),
            base64(header, lead: "Bearer sk-or-v1-"),
            base64(key, lead: "sk-or-v1-"),
            base64(secret, lead: ""),
            base64("{\"key\":\"\(key)\"}", lead: "{\"key\":\"sk-or-v1-"),
            base64("Authorization: \(header)", lead: "Authorization: Bearer sk-or-v1-"),
        ]
        let url = Data(header.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        forms.append(Form(name: "base64url of the header", text: url, lead: 16 * 8 / 6))
        return forms
    }()

    /// Whether `output` still shows any part of the secret from `form`: the plain secret in any case, or any
    /// 8 characters of the form after its lead.
    static func leaks(_ output: String, _ form: Form) -> Bool {
        if output.lowercased().contains(secret.prefix(16)) || output.lowercased().contains(secret.suffix(16)) { return true }
        let characters = Array(form.text)
        guard characters.count >= form.lead + 9 else { return false }
        for start in (form.lead + 1)...(characters.count - 8) where output.contains(String(characters[start..<start + 8])) {
            return true
        }
        return false
    }
}

@Suite("Redacting every form of a configured key")
struct SecretVariantsTests {
    let redactor = Redactor(secrets: [KeyForms.key, "canary-metrics-token-9e8d7c6b5a4f"])

    @Test("each form, anywhere in a line, is replaced", arguments: KeyForms.all)
    func eachForm(form: KeyForms.Form) {
        for text in [form.text, "error: \(form.text) not found", "\"\(form.text)\"", "x\(form.text)y", "a=\(form.text)&b=2"] {
            let line = redactor.redact(text)
            #expect(line.contains("[REDACTED:secret]"), "\(text) → \(line)")
            #expect(!KeyForms.leaks(line, form), "\(text) → \(line)")
            let fields = redactor.variants.redact(text)
            #expect(!KeyForms.leaks(fields, form), "\(text) → \(fields)")
        }
    }

    @Test("the upstream's 401 naming the key id loses the id")
    func keyIDNotFound() {
        let body = #"{"error":{"message":"key id \#(KeyForms.secret) not found","code":401}}"#
        #expect(redactor.redact(body) == #"{"error":{"message":"key id [REDACTED:secret] not found","code":401}}"#)
        #expect(redactor.variants.redact("KEY ID \(KeyForms.secret.uppercased())") == "KEY ID [REDACTED:secret]")
    }

    @Test("any configured secret gets the same forms, not only keys")
    func otherSecrets() {
        let token = "canary-metrics-token-9e8d7c6b5a4f"
        #expect(redactor.redact("t=\(token.uppercased())") == "t=[REDACTED:secret]")
        #expect(!redactor.redact(Data("Bearer \(token)".utf8).base64EncodedString()).contains("LTllOGQ3YzZiNWE0Zg"))
        let short = Redactor(secrets: ["abcdefghij"])  // under 16 bytes: any case, but no encoded forms
        #expect(short.redact("ABCDEFGHIJ") == "[REDACTED:secret]")
        #expect(short.redact(Data("abcdefghij".utf8).base64EncodedString()) == Data("abcdefghij".utf8).base64EncodedString())
    }

    @Test(
        "ordinary text is not changed",
        arguments: [
            "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 ok",
            "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709, md5 d41d8cd98f00b204e9800998ecf8427e",
            "commit 7f3a9c2, short 7f3a9c2e5b8d and a near miss 7f3a9c2e5b8d1f4a6c0e3b7d9a2f5c8e1b4d7a0c3f6e9b2d5a8c1f4e7b0d3a6d",
            "uuid 7f3a9c2e-5b8d-1f4a-6c0e-3b7d9a2f5c8e",
            "The quick brown fox jumps over the lazy dog, then reads RFC 4648 about base64 and percent-encoding.",
            "aGVsbG8gd29ybGQsIHRoaXMgaXMgYW4gb3JkaW5hcnkgYmFzZTY0IHRleHQ= is base64 of something else",
            "%7F%3A%9C and 7F3A9C2E5B8D1F4A are fragments shorter than the key",
        ]
    )
    func ordinaryText(text: String) {
        #expect(redactor.redact(text) == text)
        #expect(redactor.variants.redact(text) == text)
    }

    @Test("only the configured secrets: addresses and example keys in answer text stay")
    func fieldsKeepOtherText() {
        let text = "mail jane@example.com or call +44 20 7946 0958; keys look like sk-or-v1-0000000000000000"
        #expect(redactor.variants.redact(text) == text)
        #expect(Redactor(secrets: []).variants.isEmpty)
    }
}
