import Foundation
import Testing

/// docs/metrics.md is the exposition, exactly: after a workload that makes every family appear, each exported
/// family is in the table with its type, labels and exporting process, and each row of the table is exported.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct MetricsReferenceTests {
    @Test func theReferenceTableIsWhatTheApplianceExports() async throws {
        let reference = try MetricsReference(markdown: try RepositoryFile.text("docs/metrics.md"))
        #expect(reference.rows.count > 40, "the table was read: \(reference.rows.keys.sorted())")
        let workload = try await MetricsWorkload.start()
        let scraped: ScrapedFamilies
        do {
            try await workload.run()
            scraped = ScrapedFamilies(exposition: try workload.app.metrics("/metrics").body)
        } catch {
            await workload.stop()
            throw error
        }
        await workload.stop()

        for (name, family) in scraped.families.sorted(by: { $0.key < $1.key }) {
            #expect(name.hasPrefix("neural_terminal_") || name.hasPrefix("process_"), "\(name) lacks the namespace prefix")
            guard let row = reference.rows[name] else {
                Issue.record("\(name) (\(family.type)) is exported but not in docs/metrics.md")
                continue
            }
            #expect(family.type == row.type, "\(name) is a \(family.type), the table says \(row.type)")
            let subjectIsWorker = row.labels.contains("worker")
            let labels = Set(family.labels.keys).subtracting(subjectIsWorker ? [] : ["worker"])
            #expect(labels == row.labels, "\(name) has labels \(labels.sorted()), the table says \(row.labels.sorted())")
            if !subjectIsWorker {
                #expect(family.labels["worker"] == row.workers, "\(name) comes from \(family.labels["worker"] ?? []), the table says \(row.workers)")
            }
        }
        for name in reference.rows.keys.sorted() where scraped.families[name] == nil {
            Issue.record("docs/metrics.md lists \(name), which the appliance did not export")
        }
        for family in ["neural_terminal_upstream_errors_total", "neural_terminal_upstream_retries_total"] {
            let codes = scraped.families[family]?.labels["code"] ?? []
            #expect(!codes.isEmpty && codes.isSubset(of: reference.upstreamCodes),
                    "\(family) codes \(codes.sorted()) outside the documented set")
        }
    }
}
