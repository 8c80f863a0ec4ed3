import Foundation

/// The repository's operator files the monitoring tests read: docs/metrics.md, the Grafana dashboard, the rules.
enum RepositoryFile {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func text(_ relative: String) throws -> String { try String(contentsOfFile: path(relative), encoding: .utf8) }
}

/// The families table and the upstream code table of docs/metrics.md.
struct MetricsReference {
    struct Row: Equatable {
        let name: String
        let type: String
        let labels: Set<String>
        /// The processes that export it (`every process` stands for all four).
        let workers: Set<String>
    }

    static let processes: Set<String> = ["supervisor", "web", "metrics", "maintenance"]

    let rows: [String: Row]
    let upstreamCodes: Set<String>

    init(markdown: String) throws {
        var rows: [String: Row] = [:]
        for line in Self.section("Families", of: markdown) where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 7 else { throw Timeout(description: "docs/metrics.md: a row without 5 cells: \(line)") }
            let name = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let labels = Set(cells[3].split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "` ")) }.filter { $0 != "—" })
            let workers = cells[5] == "every process" ? Self.processes : Set(cells[5].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            guard rows[name] == nil else { throw Timeout(description: "docs/metrics.md lists \(name) twice") }
            rows[name] = Row(name: name, type: cells[2], labels: labels, workers: workers)
        }
        self.rows = rows
        upstreamCodes = Set(Self.section("Upstream error codes", of: markdown).filter { $0.hasPrefix("| `") }
            .compactMap { $0.split(separator: "`").dropFirst().first.map(String.init) })
    }

    /// The lines under `## title`, up to the next `## ` heading.
    static func section(_ title: String, of markdown: String) -> [Substring] {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(of: Substring("## \(title)")) else { return [] }
        return Array(lines[(start + 1)...].prefix { !$0.hasPrefix("## ") })
    }
}

/// The families of a scraped exposition: each one's `# TYPE`, label names and label values.
struct ScrapedFamilies {
    struct Family {
        var type: String
        var labels: [String: Set<String>] = [:]
    }

    private(set) var families: [String: Family] = [:]

    init(exposition: String) {
        for line in exposition.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let words = line.split(separator: " ")
                if words.count == 4 { families[String(words[2])] = Family(type: String(words[3])) }
                continue
            }
            guard !line.hasPrefix("#"), let family = owner(of: line) else { continue }
            for (label, value) in Self.labels(of: line) where label != "le" {
                families[family]?.labels[label, default: []].insert(value)
            }
        }
    }

    /// The family a sample line belongs to: its name, or its name without a histogram's suffix.
    private func owner(of line: Substring) -> String? {
        let name = String(line.prefix { $0 != "{" && $0 != " " })
        if families[name] != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if families[base]?.type == "histogram" { return base }
        }
        return nil
    }

    /// The label pairs of a sample line (values are plain here: no escapes in the appliance's labels).
    static func labels(of line: Substring) -> [(String, String)] {
        guard let open = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}") else { return [] }
        let pairs = line[line.index(after: open)..<close].components(separatedBy: "\",")
        return pairs.compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            return (String(parts[0]), parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        }
    }
}
