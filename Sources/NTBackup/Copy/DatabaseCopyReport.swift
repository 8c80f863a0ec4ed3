import NTStorage
import NTSystem

/// The row count and SHA-256 of a table's rows in their ``CopiedTables/Table/order``, over a canonical encoding of
/// the values as read: NULL `N`; an integer `I` and its decimal digits and `;`; a float `R`, its shortest text that
/// reads back to the same double (so floats compare exactly) and `;`; a text `T`, its UTF-8 length, `:` and its
/// bytes; `\n` after each row. Both engines' rows hash alike exactly when every value is equal.
struct TableDigest {
    private(set) var rows = 0
    private var hasher = SHA256()

    mutating func add(_ row: [CopiedValue]) {
        var bytes: [UInt8] = []
        for value in row {
            switch value {
            case .null: bytes.append(UInt8(ascii: "N"))
            case .integer(let number): bytes += Array("I\(number);".utf8)
            case .real(let number): bytes += Array("R\(number);".utf8)
            case .text(let text):
                bytes += Array("T\(text.utf8.count):".utf8)
                bytes += text.utf8
            }
        }
        bytes.append(UInt8(ascii: "\n"))
        hasher.update(bytes)
        rows += 1
    }

    var hex: String {
        var copy = hasher
        return copy.finalizeHex()
    }
}

/// A running-totals table (`spend_by_day`, `spend_by_user_day`) by key: amounts and answer counts. A key whose
/// answers and amounts are all zero (a day whose answers were all moved or reconciled away) counts as absent. The
/// amounts are sums of floats accumulated in a different order on each side (the source over its history, the
/// target in copy order), so they compare within 1e-9 of the amount; counts compare exactly.
struct SpendTotals {
    private(set) var entries: [String: (cost: Double, estimated: Double, answers: Int)] = [:]

    /// Both totals tables of `database`, by table name.
    static func read(_ database: any DatabaseConnection) throws -> [String: SpendTotals] {
        var tables: [String: SpendTotals] = [:]
        for table in CopiedTables.totals {
            var totals = SpendTotals()
            let statement = try database.prepare("SELECT \(table.columns.map(\.name).joined(separator: ", ")) FROM \(table.name)")
            while try statement.step() {
                let (cost, estimated, answers) = (statement.double(2), statement.double(3), statement.int(4))
                if answers == 0 && abs(cost) < 1e-9 && abs(estimated) < 1e-9 { continue }
                totals.entries["\(statement.string(0) ?? "") \(statement.string(1) ?? "")"] = (cost, estimated, answers)
            }
            tables[table.name] = totals
        }
        return tables
    }

    /// The keys whose totals differ from `other`'s, with both sides' values.
    func differences(from other: SpendTotals) -> [String] {
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(a), abs(b)) }
        return Set(entries.keys).union(other.entries.keys).sorted().compactMap { key in
            let mine = entries[key] ?? (0, 0, 0), theirs = other.entries[key] ?? (0, 0, 0)
            if mine.answers == theirs.answers && close(mine.cost, theirs.cost) && close(mine.estimated, theirs.estimated) { return nil }
            return "\(key): \(mine.answers) answers $\(mine.cost) (estimated $\(mine.estimated)) ≠ "
                + "\(theirs.answers) answers $\(theirs.cost) (estimated $\(theirs.estimated))"
        }
    }
}

/// One table's verification: the source's and the target's rows, whether they match, and its line.
public struct TableCheck: Sendable {
    public let table: String
    public let sourceRows: Int
    public let targetRows: Int
    public let matches: Bool
    /// `messages: 12345 rows, sha256 ab12… = ab12…`, or with `≠` and `MISMATCH`.
    public let line: String

    init(table: String, source: TableDigest, target: TableDigest) {
        self.table = table
        (sourceRows, targetRows) = (source.rows, target.rows)
        let (sourceHex, targetHex) = (source.hex, target.hex)
        matches = sourceRows == targetRows && sourceHex == targetHex
        let rows = sourceRows == targetRows ? "\(sourceRows) rows" : "\(sourceRows) rows ≠ \(targetRows) rows"
        line = "\(table): \(rows), sha256 \(sourceHex.prefix(16))… \(matches ? "=" : "≠") \(targetHex.prefix(16))…"
            + (matches ? "" : " MISMATCH")
    }

    init(table: String, source: SpendTotals, target: SpendTotals) {
        self.table = table
        (sourceRows, targetRows) = (source.entries.count, target.entries.count)
        let differences = source.differences(from: target)
        matches = differences.isEmpty
        line = matches
            ? "\(table): \(sourceRows) rows, totals rebuilt by the target's triggers = source's"
            : "\(table): totals differ MISMATCH: " + differences.prefix(3).joined(separator: "; ")
                + (differences.count > 3 ? "; and \(differences.count - 3) more" : "")
    }
}

/// Every table's check, copied tables first, then the running totals.
public struct DatabaseCopyReport: Sendable {
    public let checks: [TableCheck]

    /// True when every table matches.
    public var matches: Bool { checks.allSatisfy(\.matches) }
    /// The tables that differ.
    public var mismatches: [String] { checks.filter { !$0.matches }.map(\.table) }
}
