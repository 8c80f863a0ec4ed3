import HTTPTypes
import NTSystem

/// Reading `Authorization: Bearer <token>` (RFC 6750 §2.1).
public enum BearerToken {
    /// The token of the request's `Authorization` header when its scheme is `Bearer` (any case), else nil.
    /// Only the first `Authorization` field counts; surrounding blanks are ignored.
    public static func presented(in headers: HTTPFields) -> String? {
        guard let value = headers[.authorization] else { return nil }
        return token(fromAuthorization: value)
    }

    /// The token in an `Authorization` value such as `Bearer abc`, or nil for another scheme or no token.
    public static func token(fromAuthorization value: String) -> String? {
        let trimmed = value.drop { $0 == " " || $0 == "\t" }
        guard trimmed.count > 7, trimmed.prefix(6).lowercased() == "bearer",
              let separator = trimmed.dropFirst(6).first, separator == " " || separator == "\t" else { return nil }
        let token = trimmed.dropFirst(7).drop { $0 == " " || $0 == "\t" }
        let end = token.lastIndex { $0 != " " && $0 != "\t" }.map { token.index(after: $0) } ?? token.startIndex
        let result = token[token.startIndex..<end]
        return result.isEmpty ? nil : String(result)
    }

    /// Whether `headers` carry `expected` as their bearer token, compared in constant time.
    public static func matches(_ headers: HTTPFields, expected: String) -> Bool {
        guard let presented = presented(in: headers) else { return false }
        return ConstantTime.equals(presented, expected)
    }
}
