extension UpstreamFailure {
    /// The codes the upstream metrics (`neural_terminal_upstream_errors_total{code}`,
    /// `neural_terminal_upstream_retries_total{code}`) label by name: the HTTP statuses OpenRouter documents, the
    /// transport failures, and the appliance's own. Every other code is counted under its class.
    public static let metricCodes: Set<String> = [
        "upstream_400", "upstream_401", "upstream_402", "upstream_403", "upstream_404", "upstream_408",
        "upstream_413", "upstream_422", "upstream_429", "upstream_500", "upstream_502", "upstream_503",
        "upstream_504", "upstream_524", "upstream_529",
        "upstream_4xx", "upstream_5xx", "upstream_other",
        "upstream_malformed", "upstream_error", "stream_cut", "connect", "timeout_connect", "timeout_first_byte",
        "timeout_idle", "timeout_total", "tls", "transport", "cancelled", "no_api_key", "invalid_request", "other",
    ]

    /// The `code` label this failure is counted under: ``code`` when it is one of ``metricCodes``; otherwise
    /// `upstream_4xx` or `upstream_5xx` for another HTTP status, `upstream_other` for another code the upstream
    /// sent (a number out of range, a word), and `other` for anything else. An upstream that invents statuses
    /// or error codes thus cannot grow the metrics without bound; the full code stays in the answer and the log.
    public var metricCode: String { Self.metricCode(for: code) }

    static func metricCode(for code: String) -> String {
        if metricCodes.contains(code) { return code }
        guard code.hasPrefix("upstream_") else { return "other" }
        switch Int(code.dropFirst("upstream_".count)) {
        case (400..<500)?: return "upstream_4xx"
        case (500..<600)?: return "upstream_5xx"
        default: return "upstream_other"
        }
    }
}
