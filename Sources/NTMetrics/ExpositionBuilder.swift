/// Accumulates the metric families of any number of text expositions and renders them as one valid exposition.
///
/// Rules, in the order they apply to each sample:
/// - A sample belongs to the family named by a `# TYPE` line of the same text, to a histogram or summary family
///   of that text through its `_bucket` / `_sum` / `_count` suffix, else to a family already gathered from an
///   earlier text (a text without `# TYPE` joins it rather than disagreeing), else to an untyped family of its own.
/// - A sample that does not fit its family's shape (a histogram bucket without a numeric `le`, a summary
///   quantile without a numeric `quantile`, a bare histogram sample) is dropped.
/// - The first text to contribute a family fixes its type; samples from texts that declare another type are
///   dropped. A new family whose sample names would collide with an earlier family's is dropped too.
/// - A sample whose series (name and label set) was already gathered is dropped: the first one wins.
/// - Families without samples are left out; every family rendered has exactly one `# HELP` (the first non-empty
///   text seen, or a stock sentence) and one `# TYPE`, and families are sorted by name for a stable output.
struct ExpositionBuilder {
    private struct Family {
        let type: MetricType
        var help: String?
        var samples: [Sample] = []
        var seriesKeys: Set<String> = []
    }

    private var families: [String: Family] = [:]
    /// Every family name and sample name in use, mapped to the family that owns it.
    private var owners: [String: String] = [:]

    /// Adds every parsable sample of `text`. Unless `sourceLabel` is nil, it is inserted as the first label of
    /// each sample that does not already carry a label of that name (an existing one is kept untouched).
    mutating func add(_ text: String, sourceLabel: Label?) {
        var declaredTypes: [String: MetricType] = [:]
        var helpTexts: [String: String] = [:]
        var samples: [Sample] = []
        for line in text.utf8.split(separator: UInt8(ascii: "\n")) {
            switch ExpositionLineParser.parse(line) {
            case .type(let name, let type):
                if declaredTypes[name] == nil { declaredTypes[name] = type }
            case .help(let name, let help):
                if helpTexts[name] == nil, !help.isEmpty { helpTexts[name] = help }
            case .sample(let sample):
                samples.append(sample)
            case .ignorable, .invalid:
                continue
            }
        }
        for var sample in samples {
            let (name, type) = resolveFamily(of: sample.name, declaredTypes: declaredTypes)
            guard fitsShape(sample, family: name, type: type), openFamily(name, type: type) else { continue }
            if let sourceLabel, sample.label(sourceLabel.name) == nil { sample.labels.insert(sourceLabel, at: 0) }
            let key = sample.seriesKey
            guard families[name]?.seriesKeys.insert(key).inserted == true else { continue }
            families[name]?.samples.append(sample)
            if families[name]?.help == nil { families[name]?.help = helpTexts[name] }
        }
    }

    /// Gives families that carry no help text yet the text from `helpTexts`, keyed by family name.
    mutating func supplyHelp(_ helpTexts: [String: String]) {
        for (name, help) in helpTexts where !help.isEmpty && families[name]?.help == nil {
            families[name]?.help = help
        }
    }

    /// The gathered families as one text exposition (format 0.0.4), every line ending in a line feed.
    func render() -> String {
        var text = ""
        for name in families.keys.sorted() {
            guard let family = families[name], !family.samples.isEmpty else { continue }
            let help = family.help ?? "No help text was provided for \(name)."
            text += "# HELP \(name) \(escapeHelpText(help))\n# TYPE \(name) \(family.type.rawValue)\n"
            for sample in family.samples { text += sample.rendered + "\n" }
        }
        return text
    }

    // MARK: - Family resolution

    private static let suffixes: [(suffix: String, types: Set<MetricType>)] = [
        ("_bucket", [.histogram]), ("_sum", [.histogram, .summary]), ("_count", [.histogram, .summary]),
    ]

    private func resolveFamily(of sampleName: String, declaredTypes: [String: MetricType]) -> (String, MetricType) {
        let lookups: [(String) -> MetricType?] = [{ declaredTypes[$0] }, { self.families[$0]?.type }]
        for lookup in lookups {
            if let type = lookup(sampleName) { return (sampleName, type) }
            for (suffix, types) in Self.suffixes where sampleName.hasSuffix(suffix) {
                let base = String(sampleName.dropLast(suffix.count))
                if let type = lookup(base), types.contains(type) { return (base, type) }
            }
        }
        return (sampleName, .untyped)
    }

    private func fitsShape(_ sample: Sample, family: String, type: MetricType) -> Bool {
        switch (type, sample.name) {
        case (.histogram, family + "_bucket"):
            sample.label("le").map(isValidSampleValue) ?? false
        case (.summary, family):
            sample.label("quantile").map(isValidSampleValue) ?? false
        case (.histogram, family + "_sum"), (.histogram, family + "_count"),
            (.summary, family + "_sum"), (.summary, family + "_count"):
            true
        case (.histogram, _), (.summary, _):
            false
        case (.counter, _), (.gauge, _), (.untyped, _):
            sample.name == family
        }
    }

    /// Ensures a family `name` of `type` exists; false if one of another type exists, or if creating it would
    /// let two families share a name.
    private mutating func openFamily(_ name: String, type: MetricType) -> Bool {
        if let existing = families[name] { return existing.type == type }
        let names = Set([name] + type.sampleNames(family: name))
        guard names.allSatisfy({ owners[$0] == nil }) else { return false }
        for owned in names { owners[owned] = name }
        families[name] = Family(type: type)
        return true
    }
}
