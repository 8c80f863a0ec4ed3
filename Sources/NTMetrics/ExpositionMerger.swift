/// Merges the text expositions of several processes into the one exposition the metrics worker serves.
///
/// Each process of the appliance (supervisor, web, metrics, maintenance) renders its own metrics; the metrics
/// worker fetches those texts over local IPC and serves their merge on `/metrics`, so one scrape sees them all.
public enum ExpositionMerger {
    /// Merges `parts` into one valid Prometheus text exposition (format 0.0.4).
    ///
    /// What the caller can rely on:
    /// - Every sample carries a `worker` label. A sample that already has one keeps it untouched (the supervisor
    ///   reports per-worker series such as `worker_restarts_total{worker="web"}` that way); every other sample
    ///   gets `worker="<part name>"` as its first label.
    /// - Each metric family appears exactly once: one `# HELP`, one `# TYPE`, then all its samples from all parts
    ///   in part order (histogram `_bucket`/`_sum`/`_count` and summary `_sum`/`_count` stay in their family).
    ///   Families are sorted by name, so equal input gives byte-equal output.
    /// - If parts disagree on a family's `# TYPE`, the first part that contributes samples of the family fixes its
    ///   type and the samples of parts declaring another type are dropped (a part with no `# TYPE` line for the
    ///   family does not disagree: its samples join). A series that appears twice (same name and labels) is kept once, the first time.
    /// - Lines that do not parse, and samples that would make the result invalid, are dropped rather than
    ///   passed on; label values and help texts are re-escaped (`\\`, `\"`, `\n`), so their content survives.
    /// - A family without help text gets a stock one, so `promtool check metrics` finds nothing to lint about
    ///   help. Empty parts and an empty list are fine (the latter gives an empty string).
    public static func merge(_ parts: [(worker: String, text: String)]) -> String {
        var builder = ExpositionBuilder()
        for part in parts {
            builder.add(part.text, sourceLabel: Label(name: "worker", value: part.worker))
        }
        return builder.render()
    }
}
