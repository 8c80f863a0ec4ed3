import NTOpenRouter
import Testing

/// Reading `GET /api/v1/key`: the credit figures, and nothing derived from the key itself.
@Suite("Key endpoint")
struct KeyInfoTests {
    /// OpenRouter's documented example (openrouter-openapi.yaml, `getCurrentKey`).
    static let documented = #"""
        {"data":{"byok_usage":17.38,"byok_usage_daily":17.38,"byok_usage_monthly":17.38,"byok_usage_weekly":17.38,
          "creator_user_id":"user_2dHFtVWx2n56w6HkM0000000000","expires_at":"2027-12-31T23:59:59Z",
          "include_byok_in_limit":false,"is_free_tier":false,"is_management_key":false,"is_provisioning_key":false,
          "label":"sk-or-v1-au7...890","limit":100,"limit_remaining":74.5,"limit_reset":"monthly",
          "rate_limit":{"interval":"1h","note":"This field is deprecated and safe to ignore.","requests":1000},
          "usage":25.5,"usage_daily":25.5,"usage_monthly":25.5,"usage_weekly":25.5}}
        """#

    @Test("the documented answer gives limit, remaining credit, usage and tier")
    func documentedAnswer() throws {
        let info = try KeyInfo.parseKeyResponse(Array(Self.documented.utf8))
        #expect(info == KeyInfo(limitUSD: 100, limitRemainingUSD: 74.5, usageUSD: 25.5, isFreeTier: false))
        #expect(!String(describing: info).contains("au7"), "the label (a masked key) is never read")
    }

    @Test("a key without a limit has null limit and limit_remaining")
    func unlimited() throws {
        let body = #"{"data":{"label":"x","limit":null,"limit_remaining":null,"usage":0.25,"is_free_tier":true}}"#
        let info = try KeyInfo.parseKeyResponse(Array(body.utf8))
        #expect(info == KeyInfo(limitUSD: nil, limitRemainingUSD: nil, usageUSD: 0.25, isFreeTier: true))
    }

    @Test("fields of an unexpected type count as absent; a body without data fails")
    func lenient() throws {
        let body = #"{"data":{"limit":"100","limit_remaining":5,"usage":null}}"#
        let info = try KeyInfo.parseKeyResponse(Array(body.utf8))
        #expect(info == KeyInfo(limitUSD: nil, limitRemainingUSD: 5, usageUSD: nil, isFreeTier: nil))
        #expect(throws: (any Error).self) { try KeyInfo.parseKeyResponse(Array(#"{"error":{"code":401}}"#.utf8)) }
        #expect(throws: (any Error).self) { try KeyInfo.parseKeyResponse(Array("<html>".utf8)) }
    }
}
