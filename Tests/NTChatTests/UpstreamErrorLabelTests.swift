import Foundation
import NTChat
import Testing

/// The `code` label of the upstream metrics takes values from one fixed set, whatever the upstream sends.
struct UpstreamErrorLabelTests {
    static func failure(_ code: String) -> UpstreamFailure {
        UpstreamFailure(code: code, message: "m", retryable: true)
    }

    @Test(arguments: [
        ("upstream_429", "upstream_429"), ("upstream_503", "upstream_503"), ("timeout_first_byte", "timeout_first_byte"),
        ("stream_cut", "stream_cut"), ("upstream_malformed", "upstream_malformed"), ("no_api_key", "no_api_key"),
        ("upstream_418", "upstream_4xx"), ("upstream_451", "upstream_4xx"), ("upstream_599", "upstream_5xx"),
        ("upstream_server_error", "upstream_other"), ("upstream_600", "upstream_other"), ("upstream_-1", "upstream_other"),
        ("upstream_", "upstream_other"), ("something_new", "other"), ("", "other"),
    ])
    func codesMapIntoTheFixedSet(code: String, label: String) {
        #expect(Self.failure(code).metricCode == label)
        #expect(UpstreamFailure.metricCodes.contains(label))
    }

    @Test func aThousandInventedCodesGiveAtMostTheFixedSet() {
        var labels = Set<String>()
        for n in 0..<1000 {
            labels.insert(Self.failure("upstream_\(n)").metricCode)
            labels.insert(Self.failure("upstream_word\(n)").metricCode)
            labels.insert(Self.failure("kind\(n)").metricCode)
        }
        #expect(labels.isSubset(of: UpstreamFailure.metricCodes))
    }

    /// docs/metrics.md lists the label's values for operators; the list is the code's set, no more, no less.
    @Test func theMetricsReferenceListsExactlyTheseCodes() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/metrics.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let section = try #require(text.components(separatedBy: "\n## Upstream error codes\n").dropFirst().first)
        let rows = section.components(separatedBy: "\n## ").first?.split(separator: "\n").filter { $0.hasPrefix("| `") } ?? []
        let listed = Set(rows.compactMap { $0.split(separator: "`").dropFirst().first.map(String.init) })
        #expect(listed == UpstreamFailure.metricCodes, "missing: \(UpstreamFailure.metricCodes.subtracting(listed)), extra: \(listed.subtracting(UpstreamFailure.metricCodes))")
    }
}
