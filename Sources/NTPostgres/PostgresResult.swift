import CLibPQ

/// The rows of one executed statement, in libpq's text format, read by row (0-based) and column (0-based).
///
/// Values are parsed from their text form: an integer column reads as `Int`, `numeric` too when it holds a whole
/// number (`SUM` of a bigint), a boolean as 1 or 0; reading a column as a type it cannot be parsed as gives 0.
public final class PostgresResult: @unchecked Sendable {
    let handle: OpaquePointer

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        PQclear(handle)
    }

    public var rowCount: Int { Int(PQntuples(handle)) }
    public var columnCount: Int { Int(PQnfields(handle)) }

    /// The rows libpq counts for the statement: those an INSERT, UPDATE, DELETE or MERGE touched, and a SELECT's rows
    /// too (0 for statements without a count).
    public var affectedRows: Int {
        guard let text = PQcmdTuples(handle) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    /// The rows an INSERT, UPDATE, DELETE or MERGE changed; nil for any other statement (a SELECT, `BEGIN`), so a
    /// caller can keep "the last change's count" as SQLite's `sqlite3_changes` does.
    public var changedRows: Int? {
        guard let tag = PQcmdStatus(handle) else { return nil }
        let command = String(cString: tag).prefix { $0 != " " }
        return ["INSERT", "UPDATE", "DELETE", "MERGE"].contains(command) ? affectedRows : nil
    }

    public func isNull(row: Int, column: Int) -> Bool {
        PQgetisnull(handle, Int32(row), Int32(column)) != 0
    }

    public func string(row: Int, column: Int) -> String? {
        guard column < columnCount, !isNull(row: row, column: column), let value = PQgetvalue(handle, Int32(row), Int32(column)) else {
            return nil
        }
        return String(cString: value)
    }

    public func int(row: Int, column: Int) -> Int {
        guard let text = string(row: row, column: column) else { return 0 }
        if let value = Int(text) { return value }
        switch text {
        case "t": return 1
        case "f": return 0
        default: return Double(text).map { $0.isFinite ? Int($0) : 0 } ?? 0
        }
    }

    public func double(row: Int, column: Int) -> Double {
        guard let text = string(row: row, column: column) else { return 0 }
        if let value = Double(text) { return value }
        return text == "t" ? 1 : 0
    }

    /// A `bytea` column (hex output), decoded; nil when NULL or not in hex form.
    public func bytes(row: Int, column: Int) -> [UInt8]? {
        guard let text = string(row: row, column: column), text.hasPrefix("\\x") else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((text.utf8.count - 2) / 2)
        var high: UInt8?
        for char in text.utf8.dropFirst(2) {
            guard let nibble = Self.nibble(char) else { return nil }
            if let h = high { bytes.append(h << 4 | nibble); high = nil } else { high = nibble }
        }
        return high == nil ? bytes : nil
    }

    private static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
