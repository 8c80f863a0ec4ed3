/// Merges the text expositions of several processes into the one exposition the metrics worker serves.
///
/// Each process of the appliance (supervisor, web, metrics, maintenance) renders its own metrics with
/// ``MetricsRegistry/exposition()``; the metrics worker fetches those texts over local IPC and serves their merge
/// on `/metrics`, so one scrape sees them all.
public enum ExpositionMerger {
    /// Merges `parts` into one Prometheus text exposition (format 0.0.4), family by family.
    ///
    /// What the caller can rely on (see ``ExpositionFamilies`` for the rules):
    /// - Every sample carries a `worker` label. A sample that already has one keeps it untouched (the supervisor
    ///   reports per-worker series such as `neural_terminal_worker_restarts_total{worker="web"}` that way); every other sample
    ///   gets `worker="<part name>"` as its first label.
    /// - Each metric family appears exactly once: one `# HELP`, one `# TYPE`, then all its samples from all parts
    ///   in part order (histogram `_bucket`/`_sum`/`_count` and summary `_sum`/`_count` stay in their family).
    ///   Families are sorted by name, so equal input gives byte-equal output.
    /// - If parts disagree on a family's `# TYPE`, the first part's type and samples win. A series that appears
    ///   twice (same name and labels) is kept once, the first time.
    /// - Sample lines are passed on as written: the parts must be valid expositions, as swift-prometheus and
    ///   ``ProcessMetrics`` write them. Empty parts and an empty list are fine (the latter gives an empty string).
    /// - With `instance` (several appliances on one PostgreSQL database), every sample also carries
    ///   `instance="<instance>"` as its first label, unless it has an `instance` label already.
    public static func merge(_ parts: [(worker: String, text: String)], instance: String? = nil) -> String {
        var families = ExpositionFamilies()
        for part in parts {
            families.add(part.text, worker: part.worker, instance: instance)
        }
        return families.render()
    }
}
