import Testing
import NTLog

/// Secrets never reach a log line: configured secrets, API keys, bearer tokens and Authorization values.
@Suite("Redacting credentials")
struct RedactorCredentialTests {
    let redactor = Redactor(secrets: ["hunter2-admin-pass", "short"])

    @Test("a configured secret is replaced wherever it appears, even inside a word")
    func configuredSecret() {
        #expect(redactor.redact("login with hunter2-admin-pass ok") == "login with [REDACTED:secret] ok")
        #expect(redactor.redact("xxhunter2-admin-passxx") == "xx[REDACTED:secret]xx")
    }

    @Test("secrets shorter than 8 characters are ignored, since they would match ordinary words")
    func shortSecretsIgnored() {
        #expect(redactor.redact("a short message") == "a short message")
    }

    @Test("the longest configured secret wins when one contains another")
    func longestSecretFirst() {
        let nested = Redactor(secrets: ["abcdefgh", "abcdefgh-ijklmnop"])
        #expect(nested.redact("k=abcdefgh-ijklmnop;") == "k=[REDACTED:secret];")
    }

    @Test(
        "OpenRouter and OpenAI style keys are replaced whole",
        arguments: [
            "sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "sk-or-0123456789abcdefXYZ",
            "sk-proj-AbCdEfGhIjKlMnOpQrStUv_wx-yz",
            "sk-0123456789abcdef",
            "ntk_5ce3ec064afc_M97DZBQL8sciS_B2OOlTR8ucXV1cnQQBD9OiBK-JrOM",
            "NTK_5CE3EC064AFC_M97DZBQL8SCIS_B2OOLTR8UCXV1CNQQBD9OIBK-JROM",
        ]
    )
    func apiKeys(key: String) {
        #expect(redactor.redact("key=\(key) next") == "key=[REDACTED:secret] next")
        #expect(redactor.redact("\"\(key)\"") == "\"[REDACTED:secret]\"")
    }

    @Test(
        "short sk-/ntk_ strings and ones inside other words are not keys",
        arguments: [
            "sk-or-v1-tooshort", "sk-123456789012345", "task-0123456789abcdefghij", "desk-0123456789abcdefghij",
            "ntk_short", "mintk_0123456789abcdefghij", "ntk-0123456789abcdefghij", "nothing to see", "n",
        ]
    )
    func notAPIKeys(text: String) {
        #expect(redactor.redact(text) == text)
    }

    @Test("the token after Bearer is replaced, in any case, and the word is kept as written")
    func bearerTokens() {
        #expect(redactor.redact("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc") == "Bearer [REDACTED:secret]")
        #expect(redactor.redact("sent bearer abcdefgh12345678, then") == "sent bearer [REDACTED:secret], then")
        #expect(redactor.redact("BEARER\tabcdefgh12345678") == "BEARER\t[REDACTED:secret]")
        #expect(redactor.redact("{\"auth\":\"Bearer abcdefgh12345678\"}") == "{\"auth\":\"Bearer [REDACTED:secret]\"}")
    }

    @Test("Bearer in prose is left alone when what follows is too short to be a token")
    func bearerProse() {
        #expect(redactor.redact("the bearer of bad news") == "the bearer of bad news")
        #expect(redactor.redact("Bearer") == "Bearer")
    }

    @Test("an Authorization header value is replaced up to the end of the line, keeping the scheme")
    func authorizationHeader() {
        #expect(
            redactor.redact("Authorization: Basic dXNlcjpwYXNzd29yZA==\r\nAccept: */*")
                == "Authorization: Basic [REDACTED:secret]\r\nAccept: */*"
        )
        #expect(redactor.redact("authorization: opaque-credential") == "authorization: [REDACTED:secret]")
        #expect(
            redactor.redact("Proxy-Authorization: Digest username=\"x\", response=\"y\"")
                == "Proxy-Authorization: Digest [REDACTED:secret]"
        )
        #expect(
            redactor.redact("Authorization: Bearer sk-or-v1-0123456789abcdef0123456789")
                == "Authorization: Bearer [REDACTED:secret]"
        )
    }

    @Test("quoted Authorization fields are replaced up to the closing quote")
    func authorizationFields() {
        #expect(
            redactor.redact("{\"Authorization\": \"Basic dXNlcjpwYXNz\", \"x\": 1}")
                == "{\"Authorization\": \"Basic [REDACTED:secret]\", \"x\": 1}"
        )
        #expect(redactor.redact("authorization='token1234' rest") == "authorization='[REDACTED:secret]' rest")
        #expect(
            redactor.redact("{\\\"authorization\\\":\\\"abc123def\\\"}")
                == "{\\\"authorization\\\":\\\"[REDACTED:secret]\\\"}"
        )
    }

    @Test("the word authorization without a value is not touched")
    func authorizationProse() {
        let text = "authorization failed for this request"
        #expect(redactor.redact(text) == text)
    }
}
