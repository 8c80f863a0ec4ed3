/// A user's search text turned into a full-text query that cannot be a syntax error.
///
/// Raw input never reaches `MATCH`. The text is cut into terms: bare words (split at whitespace) and
/// `"quoted phrases"` (an unclosed quote runs to the end). A bare word is a prefix: it also finds the longer
/// words it begins ("trap" finds "trapezoid"), as people expect of a search box, except a word of one letter or
/// digit, which would begin nearly every word. A quoted phrase matches whole words; a trailing `*` makes any term a
/// prefix. Every term is written as an FTS5 string (`"…"` with `"` doubled) followed by FTS5's own `*` where it
/// is a prefix, so `AND`, `OR`, `NEAR(`, `(`, `^`, `:` and `*` inside a term are only text; terms are joined with
/// `AND`. Control characters are dropped, and terms without a letter or a digit are dropped too (the tokenizer
/// would ignore them); if nothing is left the query is refused.
public struct SearchQuery: Sendable, Equatable {
    /// One term of the query.
    public struct Term: Sendable, Equatable {
        public var text: String
        public var isPhrase: Bool
        public var isPrefix: Bool
    }

    /// The longest query accepted, in characters.
    public static let maxCharacters = 1_000
    /// The most terms accepted.
    public static let maxTerms = 32

    /// The text as the user typed it.
    public let text: String
    public let terms: [Term]

    /// The FTS5 expression for `MATCH`.
    public var matchExpression: String {
        terms.map { term in
            var quoted = "\""
            for character in term.text {
                quoted.append(character)
                if character == "\"" { quoted.append("\"") }
            }
            return quoted + (term.isPrefix ? "\"*" : "\"")
        }.joined(separator: " AND ")
    }

    public init(parsing text: String) throws(SearchQueryError) {
        // Count cheaply first: a 10 MB string is refused without walking its characters.
        guard text.utf8.count <= Self.maxCharacters || text.count <= Self.maxCharacters else {
            throw SearchQueryError.tooLong(max: Self.maxCharacters)
        }
        self.text = text
        var terms: [Term] = []
        let chars = Array(text.filter { !$0.unicodeScalars.contains(where: Self.isControl) })
        var i = 0
        while i < chars.count {
            if chars[i].isWhitespace {
                i += 1
                continue
            }
            var term: Term
            if chars[i] == "\"" {
                var end = i + 1
                while end < chars.count && chars[end] != "\"" { end += 1 }
                term = Term(text: String(chars[(i + 1)..<end]), isPhrase: true, isPrefix: false)
                i = end + 1
                if i < chars.count && chars[i] == "*" {
                    term.isPrefix = true
                    i += 1
                }
            } else {
                var end = i
                while end < chars.count && !chars[end].isWhitespace && chars[end] != "\"" { end += 1 }
                var word = chars[i..<end]
                i = end
                var prefix = false
                while word.last == "*" {
                    word = word.dropLast()
                    prefix = true
                }
                let letters = word.reduce(0) { count, character in count + character.unicodeScalars.count(where: Self.isWordScalar) }
                term = Term(text: String(word), isPhrase: false, isPrefix: prefix || letters > 1)
            }
            if term.text.unicodeScalars.contains(where: Self.isWordScalar) {
                terms.append(term)
            }
        }
        guard !terms.isEmpty else { throw SearchQueryError.empty }
        guard terms.count <= Self.maxTerms else { throw SearchQueryError.tooManyTerms(max: Self.maxTerms) }
        self.terms = terms
    }

    /// A letter or a digit: what the tokenizer keeps of a word.
    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0)
    }
}

/// Why a search text was refused (the API answers 400 `invalid_query` with ``message``).
public enum SearchQueryError: Error, Sendable, Equatable {
    /// Nothing searchable: empty, only spaces, punctuation or operators.
    case empty
    case tooLong(max: Int)
    case tooManyTerms(max: Int)

    public var message: String {
        switch self {
        case .empty: return "q must contain at least one word or number to search for"
        case .tooLong(let max): return "q is longer than \(max) characters"
        case .tooManyTerms(let max): return "q has more than \(max) terms"
        }
    }
}
