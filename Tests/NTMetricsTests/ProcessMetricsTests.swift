import Testing

@testable import NTMetrics

@Suite("ProcessMetrics renders the standard process_* families")
struct ProcessMetricsTests {
    let stats = ProcessStats(
        residentBytes: 12_582_912, virtualBytes: 1_073_741_824, cpuSeconds: 1.25, openFDs: 17,
        startTimeSeconds: 1_764_474_600.5
    )

    @Test("each family has HELP, TYPE and one sample, under the names Prometheus' clients use")
    func standardFamilies() {
        let lines = ProcessMetrics.exposition(for: stats).split(separator: "\n").map(String.init)
        let expected: [(name: String, type: String, value: String)] = [
            ("process_cpu_seconds_total", "counter", "1.25"),
            ("process_open_fds", "gauge", "17"),
            ("process_resident_memory_bytes", "gauge", "12582912"),
            ("process_start_time_seconds", "gauge", "1764474600.5"),
            ("process_virtual_memory_bytes", "gauge", "1073741824"),
        ]
        #expect(lines.count == expected.count * 3)
        for (offset, family) in expected.enumerated() {
            #expect(lines[offset * 3].hasPrefix("# HELP \(family.name) "))
            #expect(lines[offset * 3 + 1] == "# TYPE \(family.name) \(family.type)")
            #expect(lines[offset * 3 + 2] == "\(family.name) \(family.value)")
        }
    }

    @Test("sample values are spelled so that every Prometheus parser accepts them")
    func valueFormatting() {
        #expect(formatSampleValue(3) == "3")
        #expect(formatSampleValue(0.001) == "0.001")
        #expect(formatSampleValue(.infinity) == "+Inf")
        #expect(formatSampleValue(-.infinity) == "-Inf")
        #expect(formatSampleValue(.nan) == "NaN")
        #expect(formatSampleValue(1e300) == "1e+300")
    }
}
