/// "Did you mean ...?" suggestions for misspelt keys, sections and enum values.
enum DidYouMean {
    /// The closest candidates to `input`: those at the smallest edit distance within a tolerance that grows with
    /// the length of the input, or, failing that, those that extend it or that it extends
    /// (`connect_timeout` → `connect_timeout_seconds`). Case and `-`/`_` differences cost nothing.
    static func suggestions(for input: String, among candidates: [String]) -> [String] {
        let wanted = normalize(input)
        guard !wanted.isEmpty else { return [] }
        let tolerance = wanted.count <= 3 ? 1 : max(2, wanted.count / 4)
        var best = tolerance + 1
        var found: [String] = []
        for candidate in candidates {
            let d = distance(wanted, normalize(candidate))
            if d < best { best = d; found = [candidate] } else if d == best { found.append(candidate) }
        }
        if !found.isEmpty { return found }
        return candidates.filter { candidate in
            let c = normalize(candidate)
            return (wanted.count >= 3 && c.starts(with: wanted)) || (c.count >= 4 && wanted.starts(with: c))
        }
    }

    /// `"did you mean 'a'?"` or `"did you mean 'a' or 'b'?"`, or nil when there is nothing to suggest.
    static func phrase(_ suggestions: [String]) -> String? {
        guard !suggestions.isEmpty else { return nil }
        return "did you mean " + suggestions.prefix(3).map { "'\($0)'" }.joined(separator: " or ") + "?"
    }

    /// Levenshtein distance (insertions, deletions, substitutions) over Unicode scalars.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    private static func normalize(_ s: String) -> [Unicode.Scalar] {
        s.lowercased().unicodeScalars.map { $0 == "-" ? "_" : $0 }
    }
}
