/// One metric family as a text exposition writes it: the `# HELP` / `# TYPE` lines naming it and the sample lines
/// that follow them, kept as written.
struct ExpositionBlock {
    let name: String
    /// The `# TYPE` keyword, nil when the text declared none.
    var type: String?
    /// The `# HELP` text as written (escaped), nil when the text gave none.
    var help: String?
    var samples: [Substring] = []

    /// The blocks of `text` in order. Blank lines and other comments are skipped; lines may end in CR LF.
    static func split(_ text: String) -> [ExpositionBlock] {
        var blocks: [ExpositionBlock] = []
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let words = line.dropFirst(7)
                let name = String(words.prefix { $0 != " " && $0 != "\t" })
                let value = words.dropFirst(name.count).drop { $0 == " " || $0 == "\t" }
                if blocks.last?.name != name || blocks.last?.samples.isEmpty == false {
                    blocks.append(ExpositionBlock(name: name))
                }
                if line.hasPrefix("# HELP ") {
                    blocks[blocks.count - 1].help = String(value)
                } else {
                    blocks[blocks.count - 1].type = String(value.prefix { $0 != " " && $0 != "\t" }).lowercased()
                }
            } else if !line.hasPrefix("#"), !line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                let name = SampleLine(line).name
                if blocks.last?.owns(name) != true { blocks.append(ExpositionBlock(name: String(name))) }
                blocks[blocks.count - 1].samples.append(line)
            }
        }
        return blocks
    }

    /// Whether a sample called `sampleName` belongs to this family (by its type's suffixes).
    private func owns(_ sampleName: Substring) -> Bool {
        switch type {
        case "histogram": [name + "_bucket", name + "_sum", name + "_count"].contains(String(sampleName))
        case "summary": [name, name + "_sum", name + "_count"].contains(String(sampleName))
        default: sampleName == name
        }
    }
}

/// One sample line split into its metric name, its label list (between the braces) and the rest: the value and
/// any timestamp, with the blank before them.
struct SampleLine {
    let name: Substring
    let labels: Substring?
    let rest: Substring
    /// The names of the labels, in order.
    let labelNames: [String]

    init(_ line: Substring) {
        name = line.prefix { $0 != "{" && $0 != " " && $0 != "\t" }
        let afterName = line[name.endIndex...]
        let scan = afterName.first == "{" ? Self.scanLabels(afterName.dropFirst()) : nil
        guard let scan, let close = scan.close else {
            labels = nil
            rest = afterName
            labelNames = []
            return
        }
        labels = afterName.dropFirst()[..<close]
        rest = afterName[afterName.index(after: close)...]
        labelNames = scan.names
    }

    /// The line with `worker="<worker>"` as its first label, unless `worker` is nil or the line has a `worker`
    /// label already, and `instance="<instance>"` before it on the same terms; and its series: the line up to the
    /// value.
    func labelled(worker: String?, instance: String? = nil) -> (line: String, series: String) {
        var list = labels.map(String.init) ?? ""
        for (name, value) in [("worker", worker), ("instance", instance)] {
            guard let value, !labelNames.contains(name) else { continue }
            let label = "\(name)=\"\(escapeLabelValue(value))\""
            list = list.isEmpty ? label : label + "," + list
        }
        let series = list.isEmpty ? String(name) : name + "{" + list + "}"
        return (series + rest, series)
    }

    /// Walks a label list from just after its `{`: the label names in order, and the `}` that ends the list
    /// (nil if none does). Quoted values are skipped with their escapes.
    private static func scanLabels(_ text: Substring) -> (names: [String], close: Substring.Index?) {
        var names: [String] = []
        var name = ""
        var inValue = false, escaped = false
        for index in text.indices {
            let character = text[index]
            if inValue {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inValue = false }
                continue
            }
            switch character {
            case "\"": inValue = true
            case "=": names.append(name); name = ""
            case ",": name = ""
            case "}": return (names, index)
            case " ", "\t": continue
            default: name.append(character)
            }
        }
        return (names, nil)
    }
}
