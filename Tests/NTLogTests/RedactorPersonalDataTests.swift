import Testing
import NTLog

/// Personal data never reaches a log line: email addresses, phone numbers and card numbers.
@Suite("Redacting personal data")
struct RedactorPersonalDataTests {
    let redactor = Redactor(secrets: [])

    @Test(
        "email addresses are replaced",
        arguments: ["jane.doe@example.com", "j+tag@mail.example.co.uk", "USER_1%x@sub-domain.example.org"]
    )
    func emails(address: String) {
        #expect(redactor.redact("from <\(address)> ok") == "from <[REDACTED:email]> ok")
        #expect(redactor.redact("mailto:\(address).") == "mailto:[REDACTED:email].")
    }

    @Test(
        "things with an @ that are not addresses are kept",
        arguments: ["@MainActor func f()", "user@localhost", "pkg@1.2.3", "swift-log@1.16.2", "a @ b.com", "x@y.z"]
    )
    func notEmails(text: String) {
        #expect(redactor.redact(text) == text)
    }

    @Test(
        "international phone numbers with + are replaced",
        arguments: ["+1 555 123 4567", "+44 20 7946 0958", "+447911123456", "+1 (555) 123-4567", "+49 (0)30 1234 5678",
                    "+33.6.12.34.56.78"]
    )
    func internationalPhones(number: String) {
        #expect(redactor.redact("call \(number) now") == "call [REDACTED:phone] now")
    }

    @Test(
        "domestic phone numbers with separators are replaced",
        arguments: ["555-123-4567", "(555) 123-4567", "(555)123-4567", "555.123.4567", "555 123 4567", "1-800-555-0199",
                    "020 7946 0958", "06 12 34 56 78", "03-1234-5678", "(030) 1234 5678", "0176 12345678"]
    )
    func domesticPhones(number: String) {
        #expect(redactor.redact("phone:\(number)") == "phone:[REDACTED:phone]")
        #expect(redactor.redact("\"\(number)\"") == "\"[REDACTED:phone]\"")
    }

    @Test("several phone numbers in a row are each replaced")
    func phoneList() {
        #expect(redactor.redact("555-123-4567 555-987-6543") == "[REDACTED:phone] [REDACTED:phone]")
    }

    @Test(
        "card numbers that pass the Luhn check are replaced, plain or grouped",
        arguments: ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "5555 5555 5555 4444",
                    "3782 822463 10005", "6011111111111117", "4222222222222"]
    )
    func cards(number: String) {
        #expect(redactor.redact("card \(number), exp") == "card [REDACTED:card], exp")
    }

    @Test(
        "card-like numbers that fail the Luhn check are kept",
        arguments: ["4111111111111112", "4111 1111 1111 1112", "5555-5555-5555-4445"]
    )
    func luhnFailures(number: String) {
        #expect(redactor.redact("card \(number)") == "card \(number)")
    }

    @Test("a card followed by an expiry date is still found")
    func cardThenExpiry() {
        #expect(redactor.redact("4111 1111 1111 1111 12/26") == "[REDACTED:card] 12/26")
    }

    @Test("text without anything to redact comes back unchanged, non-ASCII text included")
    func unchangedText() {
        let text = "naïve café – 東京 🚀 200 OK in 35ms"
        #expect(redactor.redact(text) == text)
        #expect(redactor.redact("") == "")
    }

    @Test("replacements keep the surrounding UTF-8 intact")
    func mixedText() {
        #expect(
            redactor.redact("東京 jane@example.com, +1 555 123 4567 and 4111 1111 1111 1111 ✓")
                == "東京 [REDACTED:email], [REDACTED:phone] and [REDACTED:card] ✓"
        )
    }
}
