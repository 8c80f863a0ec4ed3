/// Renders a ``ProcessStats`` snapshot as the standard `process_*` metric families.
///
/// The names, types and help texts are the ones Prometheus' own client libraries (Go, Java, Python) export,
/// so stock dashboards and alerts work unchanged. The text carries no `worker` label: the metrics worker adds
/// it when it merges every process's exposition (see ``ExpositionMerger``).
public enum ProcessMetrics {
    /// The Prometheus text exposition (format 0.0.4) of `stats`: five families, each with `# HELP` and `# TYPE`.
    public static func exposition(for stats: ProcessStats) -> String {
        let families: [(name: String, type: String, help: String, value: String)] = [
            ("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
             formatSampleValue(stats.cpuSeconds)),
            ("process_open_fds", "gauge", "Number of open file descriptors.", String(stats.openFDs)),
            ("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
             String(stats.residentBytes)),
            ("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
             formatSampleValue(stats.startTimeSeconds)),
            ("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", String(stats.virtualBytes)),
        ]
        var text = ""
        for family in families {
            text += "# HELP \(family.name) \(family.help)\n"
            text += "# TYPE \(family.name) \(family.type)\n"
            text += "\(family.name) \(family.value)\n"
        }
        return text
    }
}

/// Formats a sample value the way Prometheus parsers accept it: integers without a fraction, `+Inf`, `-Inf`
/// and `NaN` spelled as in the exposition format, everything else as Swift's shortest round-trip decimal.
func formatSampleValue(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
    if value == value.rounded(), abs(value) < 9_007_199_254_740_992 { return String(Int64(value)) }
    return value.description
}
