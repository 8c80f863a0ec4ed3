/// Gathers the metric families of text expositions (format 0.0.4) and renders them as one exposition, each family
/// once with one `# HELP` and one `# TYPE` line and the samples of every text.
///
/// The texts are the appliance's own: swift-prometheus's `emitToString()` and ``ProcessMetrics``, which write
/// each family as a block (`# HELP`, `# TYPE`, its samples) of valid lines. Sample lines are therefore passed on
/// as they are (only a `worker` label is added); they are not validated one by one.
///
/// Rules:
/// - A family is what a text's `# HELP` / `# TYPE` lines name, with the sample lines that follow them and carry
///   its names (`x_bucket`, `x_sum`, `x_count` for a histogram `x`; `x_sum`, `x_count` for a summary). A sample
///   line under no header, or carrying another name, is an untyped family of its own name, as Prometheus reads it.
/// - The first text to contribute a family fixes its type; a later text's block declaring another type is left
///   out. A block without `# TYPE` joins the family already gathered under its name.
/// - A sample whose series (the line up to its value, after the `worker` label is added) was already gathered is
///   left out: the first one wins.
/// - Families without samples are left out; each family rendered has the first non-empty help text seen (else
///   the text given to ``supplyHelp(_:)``, else a stock sentence, so `promtool check metrics` finds nothing to
///   lint), and families are sorted by name, so equal input gives byte-equal output.
struct ExpositionFamilies {
    private struct Family {
        let type: String
        /// As written on a `# HELP` line: escaped.
        var help: String?
        var samples: [String] = []
        var series: Set<String> = []
    }

    private var families: [String: Family] = [:]

    /// Adds every family of `text`. Unless `worker` is nil, each sample that carries no `worker` label gets
    /// `worker="<worker>"` as its first label; a sample that has one keeps it untouched (the supervisor reports
    /// per-worker series such as `neural_terminal_worker_restarts_total{worker="web"}`).
    mutating func add(_ text: String, worker: String?, instance: String? = nil) {
        for block in ExpositionBlock.split(text) {
            let type = block.type ?? families[block.name]?.type ?? "untyped"
            if let existing = families[block.name], existing.type != type { continue }
            var family = families[block.name] ?? Family(type: type)
            for line in block.samples {
                let sample = SampleLine(line).labelled(worker: worker, instance: instance)
                guard family.series.insert(sample.series).inserted else { continue }
                family.samples.append(sample.line)
            }
            if family.help == nil, let help = block.help, !help.isEmpty { family.help = help }
            families[block.name] = family
        }
    }

    /// Gives the families that carry no help text yet the text from `helpTexts` (unescaped), keyed by family name.
    mutating func supplyHelp(_ helpTexts: [String: String]) {
        for (name, help) in helpTexts where !help.isEmpty && families[name]?.help == nil {
            families[name]?.help = escapeHelpText(help)
        }
    }

    /// The gathered families as one text exposition (format 0.0.4), every line ending in a line feed.
    func render() -> String {
        var text = ""
        for name in families.keys.sorted() {
            guard let family = families[name], !family.samples.isEmpty else { continue }
            let help = family.help ?? "No help text was provided for \(name)."
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(family.type)\n"
            for sample in family.samples { text += sample + "\n" }
        }
        return text
    }
}

/// Escapes a label value: backslash, double quote and line feed, as the text format requires.
func escapeLabelValue(_ value: String) -> String {
    escape(value, quote: true)
}

/// Escapes `# HELP` text: backslash and line feed (a double quote needs no escape there).
func escapeHelpText(_ text: String) -> String {
    escape(text, quote: false)
}

private func escape(_ text: String, quote: Bool) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for character in text.unicodeScalars {
        switch character {
        case "\\": result += "\\\\"
        case "\"" where quote: result += "\\\""
        case "\n": result += "\\n"
        default: result.unicodeScalars.append(character)
        }
    }
    return result
}
