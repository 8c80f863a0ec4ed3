extension SearchQuery {
    /// The same terms as PostgreSQL's `to_tsquery('simple', …)` input: each term a quoted lexeme string (`'` and `\`
    /// doubled, so no operator inside a term is more than text) with `:*` where it is a prefix, joined with `&`.
    /// PostgreSQL's parser splits a quoted term of several words into a phrase (`<->`). Differences from FTS5: a
    /// prefix applies to every word of a phrase, and words keep their accents (`unicode61` folds them).
    public var tsQueryExpression: String {
        terms.map { term in
            var quoted = "'"
            for character in term.text {
                quoted.append(character)
                if character == "'" || character == "\\" { quoted.append(character) }
            }
            return quoted + (term.isPrefix ? "':*" : "'")
        }.joined(separator: " & ")
    }
}
