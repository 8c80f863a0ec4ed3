/// A conversation as a Markdown document that reads well on its own: a title, a metadata list, then each turn
/// under a `###` heading with its role, model, tokens, cost and status. Reasoning is a collapsible `<details>`
/// block (GitHub and most viewers fold it; plain viewers show it as a quote-like section). An estimated cost
/// (no usage from the upstream yet) reads `~$0.0012`, and the total says how much of it is estimated.
///
/// Only the visible path is shown (ADR 0017); when the conversation has other branches, a line says how many, and
/// the total cost counts every branch (what was spent).
public enum MarkdownExport {
    public static func render(_ archived: ExportedConversation) -> String {
        let c = archived.conversation
        let (messages, otherBranches) = visiblePath(archived)
        var out = "# \(oneLine(c.title.isEmpty ? "Untitled conversation" : c.title))\n\n"
        let models = unique(messages.compactMap(\.model) + (c.model.map { [$0] } ?? []))
        out += "- **Model:** \(models.isEmpty ? "—" : models.map { "`\($0)`" }.joined(separator: ", "))\n"
        out += "- **Created:** \(readableDate(c.createdAt))\n"
        out += "- **Updated:** \(readableDate(c.updatedAt))\n"
        out += "- **Messages:** \(messages.count)\n"
        let tokens = messages.reduce(0) { $0 + ($1.promptTokens ?? 0) + ($1.completionTokens ?? 0) }
        out += "- **Tokens:** \(grouped(tokens))\n"
        if otherBranches > 0 {
            out += "- **Other branches:** \(otherBranches) (not shown here; the JSON export holds every branch)\n"
        }
        out += "- **Total cost:** \(totalCost(archived.messages))\(otherBranches > 0 ? " (all branches)" : "")\n"
        out += "- **Conversation id:** `\(c.id)`\n"
        if let prompt = c.systemPrompt, !prompt.isEmpty {
            out += "\n**System prompt:**\n\n" + quoted(prompt) + "\n"
        }
        for message in messages {
            out += "\n---\n\n### " + heading(message) + "\n\n"
            if !message.reasoning.isEmpty {
                out += "<details>\n<summary>Reasoning</summary>\n\n" + quoted(message.reasoning) + "\n\n</details>\n\n"
            }
            out += message.content.isEmpty ? "_(no text)_\n" : message.content + (message.content.hasSuffix("\n") ? "" : "\n")
            if let error = message.error, !error.isEmpty {
                out += "\n> **Error:** \(oneLine(error))\n"
            }
        }
        return out
    }

    /// The messages from the first one down to the current leaf, and how many other branches end elsewhere
    /// (messages without children off the path).
    static func visiblePath(_ archived: ExportedConversation) -> (messages: [Message], otherBranches: Int) {
        let tree = MessageTree(archived.messages.map { ($0.id, $0.parentID) })
        guard let leaf = archived.conversation.currentLeafID.flatMap({ tree.contains($0) ? $0 : nil }) ?? tree.deepestNewest(from: nil) else {
            return ([], 0)
        }
        let onPath = Set(tree.path(to: leaf))
        let ends = archived.messages.filter { !tree.hasChildren($0.id) && !onPath.contains($0.id) }.count
        return (archived.messages.filter { onPath.contains($0.id) }, ends)
    }

    /// `$0.0035`, or `$0.0035 (~$0.0020 estimated)` when some answers' costs are still estimates.
    static func totalCost(_ messages: [Message]) -> String {
        let total = messages.reduce(0.0) { $0 + ($1.costUSD ?? 0) }
        let estimated = messages.reduce(0.0) { $0 + ($1.costSource == .estimated ? $1.costUSD ?? 0 : 0) }
        return dollars(total) + (estimated > 0 ? " (~\(dollars(estimated)) estimated)" : "")
    }

    /// `ASSISTANT · model · 1,234 tokens · $0.0012 · complete · 2026-11-30 05:00 UTC` (`~$0.0012` for an
    /// estimated cost); tokens are prompt plus completion (reasoning included), and only the known parts are shown.
    static func heading(_ m: Message) -> String {
        var parts = [m.role.rawValue.uppercased()]
        if let model = m.model { parts.append(model) }
        if m.promptTokens != nil || m.completionTokens != nil {
            parts.append("\(grouped((m.promptTokens ?? 0) + (m.completionTokens ?? 0))) tokens")
        }
        if let cost = m.costUSD { parts.append((m.costSource == .estimated ? "~" : "") + dollars(cost)) }
        if m.role == .assistant || m.status != .complete { parts.append(m.status.rawValue) }
        parts.append(readableDate(m.createdAt))
        return parts.joined(separator: " · ")
    }

    /// `2026-11-30T05:00:01.123Z` → `2026-11-30 05:00 UTC`; anything else is returned as it is.
    static func readableDate(_ timestamp: String) -> String {
        let chars = Array(timestamp.utf8)
        guard chars.count >= 16, chars[10] == UInt8(ascii: "T"), timestamp.hasSuffix("Z") else { return timestamp }
        return String(decoding: chars[0..<10], as: UTF8.self) + " " + String(decoding: chars[11..<16], as: UTF8.self) + " UTC"
    }

    /// US dollars with four decimals, or six for amounts under a hundredth of a cent: `$0.0012`, `$0.000004`.
    static func dollars(_ value: Double) -> String {
        let decimals = (value != 0 && abs(value) < 0.0001) ? 6 : 4
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let units = Int((abs(value) * scale).rounded())
        let whole = units / Int(scale)
        var fraction = String(units % Int(scale))
        fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
        return (value < 0 ? "-$" : "$") + "\(whole).\(fraction)"
    }

    /// `1234567` → `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 && digit != "-" && digits[i - 1] != "-" { out.append(",") }
            out.append(digit)
        }
        return out
    }

    static func quoted(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? ">" : "> " + $0 }.joined(separator: "\n")
    }

    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    static func unique(_ values: [String]) -> [String] {
        var seen: Set<String> = []
        return values.filter { seen.insert($0).inserted }
    }
}
