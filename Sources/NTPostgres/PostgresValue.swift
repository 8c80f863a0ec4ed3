/// A statement parameter, sent in text format with the type its Swift value has (so PostgreSQL never has to guess
/// the type of `$1 + 1`, `LIMIT $1` or `$1 IS NULL`). A nil of a known Swift type is a NULL of that type; `null`
/// is sent untyped and takes the type its place in the statement gives.
public enum PostgresValue: Sendable, Equatable {
    case text(String?)
    case int(Int?)
    case double(Double?)
    case null

    /// The type OID libpq sends: text 25, int8 20, float8 701, or 0 (let the server infer).
    var typeOID: UInt32 {
        switch self {
        case .text: 25
        case .int: 20
        case .double: 701
        case .null: 0
        }
    }

    /// The text form, or nil for SQL NULL. Doubles print as Swift's shortest round-trip form, which PostgreSQL's
    /// float8 input reads back exactly.
    var text: String? {
        switch self {
        case .text(let value): value
        case .int(let value): value.map { String($0) }
        case .double(let value?):
            value.isNaN ? "NaN" : value.isInfinite ? (value > 0 ? "Infinity" : "-Infinity") : "\(value)"
        case .double(nil), .null: nil
        }
    }
}
