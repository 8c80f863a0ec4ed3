import NTChat
import NTOpenRouter
import Testing

/// The verdict on the upstream key (what `/ready` reports) and the redaction of upstream error messages.
@Suite("Upstream key status")
struct KeyStatusTests {
    @Test("GET /key answers map to valid, invalid, unsupported or unknown, never confusing the last two with invalid")
    func verdicts() {
        let body = Array(#"{"data":{"label":"sk-or-v1-abc...def","limit":10,"limit_remaining":9.5,"usage":0.5}}"#.utf8)
        let valid = UpstreamKeyStatus.from(status: 200, body: body)
        #expect(valid.state == .valid && valid.limitRemainingUSD == 9.5 && valid.hasLimit == true)
        #expect(UpstreamKeyStatus.from(status: 401, body: []).state == .invalid)
        #expect(UpstreamKeyStatus.from(status: 403, body: []).state == .invalid)
        #expect(UpstreamKeyStatus.from(status: 404, body: []).state == .unsupported)
        #expect(UpstreamKeyStatus.from(status: 500, body: []).state == .unknown)
        #expect(UpstreamKeyStatus.from(status: 429, body: []).state == .unknown)
        #expect(UpstreamKeyStatus.from(status: 200, body: Array("<html>".utf8)).state == .unknown)
    }

    @Test("the summary gives the verdict and the credit, rounded down to cents, and never the label")
    func summaries() {
        let limited = UpstreamKeyStatus.valid(KeyInfo(limitUSD: 10, limitRemainingUSD: 9.999, usageUSD: 0.001, isFreeTier: false))
        #expect(limited.summary == "api key valid; 9.99 USD credit left of the key's limit")
        let unlimited = UpstreamKeyStatus.valid(KeyInfo(limitUSD: nil, limitRemainingUSD: nil, usageUSD: 3, isFreeTier: false))
        #expect(unlimited.summary.hasPrefix("api key valid; no credit limit"))
        #expect(UpstreamKeyStatus.from(status: 401, body: []).summary.hasPrefix("api key invalid"))
        #expect(UpstreamKeyStatus(state: .unknown, detail: "upstream unreachable (connect)").summary
            == "api key not verified: upstream unreachable (connect)")
        let body = Array(#"{"data":{"label":"sk-or-v1-abc...def","limit":null,"limit_remaining":null}}"#.utf8)
        #expect(!UpstreamKeyStatus.from(status: 200, body: body).summary.contains("abc"))
    }

    @Test("the monitor keeps the latest verdict and re-checks soon after a reload")
    func monitor() async {
        let answers = Answers()
        let monitor = KeyStatusMonitor { await answers.next() }
        #expect(monitor.current == .notChecked)
        #expect(await monitor.refresh().state == .valid)
        #expect(monitor.current.state == .valid)
        #expect(KeyStatusMonitor.interval(for: monitor.current) == KeyStatusMonitor.settledInterval)
        #expect(await monitor.refresh().state == .unknown)
        #expect(KeyStatusMonitor.interval(for: monitor.current) == KeyStatusMonitor.unknownInterval)
    }

    @Test("an upstream error message that echoes the key is redacted before anyone can store or show it")
    func failureMessagesAreRedacted() {
        let key = "sk-or-v1-" + String(repeating: "feedface", count: 8)
        let failure = UpstreamFailure(
            code: "upstream_401", message: "Invalid credentials: key \(key) (received \"Authorization: Bearer \(key)\")",
            httpStatus: 401, retryable: false
        )
        #expect(!failure.message.contains("feedface"))
        #expect(failure.message.contains("[REDACTED:secret]"))
        #expect(!failure.description.contains("feedface"))
    }
}

/// Valid first, then unknown.
private actor Answers {
    private var count = 0
    func next() -> UpstreamKeyStatus {
        count += 1
        return count == 1 ? .valid(KeyInfo(limitUSD: nil, limitRemainingUSD: nil, usageUSD: nil, isFreeTier: nil))
            : UpstreamKeyStatus(state: .unknown, detail: "upstream unreachable (connect)")
    }
}
