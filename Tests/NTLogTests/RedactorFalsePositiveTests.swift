import Testing
import NTLog

/// The numbers logs are made of stay readable: the redactor must not mistake them for phones or cards.
@Suite("Redaction leaves ordinary numbers alone")
struct RedactorFalsePositiveTests {
    let redactor = Redactor(secrets: [])

    @Test(
        "timestamps and dates",
        arguments: [
            "2026-11-30T04:05:06.789Z", "2026-11-30 04:05:06", "2026-11-30 12:00", "30.11.2026 04:05",
            "12/31/2026 10:00", "2026/11/30 12:34:56", "date 20261130 time 040506", "duration 00:01:02.345",
            "01.02.2026 1234", "at 04:05:06.789", "epoch 1764475506", "epoch_ms 1764475506789",
            "epoch_ms 1764475506788 (passes Luhn)", "ns 1764475506123456784",
        ]
    )
    func timestamps(text: String) {
        #expect(redactor.redact(text) == text)
    }

    @Test(
        "addresses and ports",
        arguments: ["listening on 127.0.0.1:8080", "0.0.0.0:443", "192.168.100.200", "[::1]:8080", "10.0.0.1:65535"]
    )
    func addresses(text: String) {
        #expect(redactor.redact(text) == text)
    }

    @Test(
        "process ids, counts and sizes",
        arguments: ["pid 12345", "pid=4242 ppid=1", "[31337]", "status 200", "1024 2048 4096 8192", "1 048 576 bytes",
                    "tokens 1234 5678", "cost 0.0000025", "0.000000000025", "pi 3.14159265358979",
                    "1 2 3 4 5 6 7 8 9 0 1 2 3 4", "range 1000-2000-3000", "coords 51.5074, -0.1278"]
    )
    func counts(text: String) {
        #expect(redactor.redact(text) == text)
    }

    @Test(
        "identifiers",
        arguments: ["550e8400-e29b-41d4-a716-446655440000", "12345678-1234-1234-1234-123456789012",
                    "gen-1764475506-AbCdEf", "deadbeef12345678", "req_01J9Z3K4M5N6P7Q8R9S0T1V2W3",
                    "mac 00:1A:2B:3C:4D:5E", "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                    "snowflake 1234567890123456789"]
    )
    func identifiers(text: String) {
        #expect(redactor.redact(text) == text)
    }

    @Test(
        "durations and versions",
        arguments: ["took 123ms", "took 1500 ms", "ttft 12.5ms", "Swift 6.3.1", "swift-nio 2.101.3",
                    "Windows 10.0.19041.1234", "v1.2026.11.30"]
    )
    func durationsAndVersions(text: String) {
        #expect(redactor.redact(text) == text)
    }

    @Test("short or separator-less numbers are not phone numbers")
    func shortNumbers() {
        #expect(redactor.redact("ext 555-1234") == "ext 555-1234")
        #expect(redactor.redact("id 5551234567") == "id 5551234567")
        #expect(redactor.redact("+5 stars") == "+5 stars")
    }
}
