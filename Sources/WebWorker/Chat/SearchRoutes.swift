import Hummingbird
import NTChat
import NTHTTP
import NTStorage

/// `GET /api/search?q=…&limit=…`: full-text search over the asker's conversation titles (`conversations`) and
/// messages (`results`), each at most `limit` long; other people's never match.
///
/// The text is turned into a safe FTS5 query by ``SearchQuery`` (bare words are prefixes); a text with nothing to
/// search for, longer than 1,000 characters or with more than 32 terms is a 400 `invalid_query`, never a 500.
struct SearchRoutes: Sendable {
    static let limitRange = 1...100

    let repository: (any SearchRepository)?

    init(repository: any ChatRepository) {
        self.repository = repository as? any SearchRepository
    }

    func add(to table: RouteTable) {
        table.add(.get, "/api/search") { request, context in
            guard let repository else {
                throw APIError(.notImplemented, code: "not_supported", message: "this storage cannot search")
            }
            let limit = try Validate.int(request.uri.queryParameters.get("limit"), "limit", default: 20, in: Self.limitRange)
            guard let text = Self.formValue("q", in: request.uri.query) else {
                throw APIError(.badRequest, code: "invalid_query", message: "q is required")
            }
            let query: SearchQuery
            do throws(SearchQueryError) {
                query = try SearchQuery(parsing: text)
            } catch {
                throw APIError(.badRequest, code: "invalid_query", message: error.message)
            }
            let owner = try Ownership.accountID(context)
            do {
                return JSONBody.response(SearchResults(
                    query: text, conversations: try await repository.searchTitles(query, ownerID: owner, limit: limit),
                    results: try await repository.search(query, ownerID: owner, limit: limit)
                ))
            } catch let error as StorageError where error.message.hasPrefix("fts5") {
                // Not expected (every term is quoted), but a query problem is the client's, not a server fault.
                throw APIError(.badRequest, code: "invalid_query", message: "the query cannot be searched: \(error.message)")
            }
        }
    }

    /// The value of `name` in a query string, decoded as a form does (`+` is a space, `%XX` a byte), so both
    /// `encodeURIComponent` and `URLSearchParams` spellings work. Invalid escapes are kept as they are.
    static func formValue(_ name: String, in query: String?) -> String? {
        guard let query else { return nil }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts[0] == name else { continue }
            return parts.count > 1 ? decode(parts[1]) : ""
        }
        return nil
    }

    static func decode(_ text: Substring) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 48...57: return b - 48
            case 65...70: return b - 55
            case 97...102: return b - 87
            default: return nil
            }
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(32)
            } else if b == UInt8(ascii: "%"), i + 2 < bytes.count, let high = hex(bytes[i + 1]), let low = hex(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 2
            } else {
                out.append(b)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The answer of `GET /api/search`.
struct SearchResults: Encodable {
    let query: String
    /// Conversations whose title matched.
    let conversations: [TitleHit]
    /// Messages that matched.
    let results: [SearchHit]
}
