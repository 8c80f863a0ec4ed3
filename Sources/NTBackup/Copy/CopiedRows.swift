import NTStorage

/// One value of a copied row, read as its column's kind (``CopiedTables/Kind``).
enum CopiedValue: Equatable {
    case null
    case integer(Int)
    case real(Double)
    case text(String)
}

/// Reads a table's rows in its ``CopiedTables/Table/order``, the same order on both engines: text sorts byte by
/// byte (PostgreSQL's `COLLATE "C"`, SQLite's default), NULLs first. SQLite's statement streams its rows;
/// PostgreSQL's are fetched in pages through a cursor (a statement's rows otherwise arrive all at once), so it
/// must be called inside a transaction.
enum RowReader {
    static let pageRows = 500

    static func forEachRow(of table: CopiedTables.Table, in database: any DatabaseConnection,
                           _ body: ([CopiedValue]) throws -> Void) throws {
        let postgres = database.engine == .postgres
        let order = table.order.map { column in
            postgres ? (table.kind(of: column) == .text ? "\(column) COLLATE \"C\" NULLS FIRST" : "\(column) NULLS FIRST") : column
        }
        let select = "SELECT \(table.columns.map(\.name).joined(separator: ", ")) FROM \(table.name) ORDER BY \(order.joined(separator: ", "))"
        guard postgres else {
            let statement = try database.prepare(select)
            while try statement.step() { try body(values(statement, table)) }
            return
        }
        try database.execute("DECLARE nt_copy NO SCROLL CURSOR FOR \(select)")
        var fetched = pageRows
        while fetched == pageRows {
            let page = try database.prepare("FETCH FORWARD \(pageRows) FROM nt_copy")
            fetched = 0
            while try page.step() {
                fetched += 1
                try body(values(page, table))
            }
        }
        try database.execute("CLOSE nt_copy")
    }

    private static func values(_ statement: Statement, _ table: CopiedTables.Table) -> [CopiedValue] {
        table.columns.indices.map { index in
            let column = Int32(index)
            if statement.isNull(column) { return .null }
            switch table.columns[index].kind {
            case .integer: return .integer(statement.int(column))
            case .real: return .real(statement.double(column))
            case .text: return .text(statement.string(column) ?? "")
            }
        }
    }
}

/// Inserts a table's rows into the target in multi-row statements of about 500 values (one round trip per
/// batch on PostgreSQL). PostgreSQL takes the identity column's value as given (`OVERRIDING SYSTEM VALUE`) and
/// then moves its sequence past the largest, so the appliance's next message numbers after the copied ones.
final class BatchInsert {
    private let table: CopiedTables.Table
    private let database: any DatabaseConnection
    private let batchRows: Int
    private var pending: [[CopiedValue]] = []

    init(table: CopiedTables.Table, database: any DatabaseConnection) {
        self.table = table
        self.database = database
        batchRows = max(1, 500 / table.columns.count)
        pending.reserveCapacity(batchRows)
    }

    func add(_ row: [CopiedValue]) throws {
        pending.append(row)
        if pending.count == batchRows { try flush() }
    }

    /// Inserts what is still pending and, on PostgreSQL, moves the identity's sequence.
    func finish() throws {
        if !pending.isEmpty { try flush() }
        database.resetCachedStatements()
        if let identity = table.identity, database.engine == .postgres {
            _ = try database.scalarInt("""
                SELECT setval(pg_get_serial_sequence('\(table.name)', '\(identity)'), COALESCE(MAX(\(identity)), 0) + 1, false)
                FROM \(table.name)
                """)
        }
    }

    private func flush() throws {
        let statement = try database.cachedStatement(sql(rows: pending.count))
        var index: Int32 = 1
        for row in pending {
            for (value, column) in zip(row, table.columns) {
                switch (value, column.kind) {
                case (.integer(let number), _): statement.bind(index, number)
                case (.real(let number), _): statement.bind(index, number)
                case (.text(let text), _): statement.bind(index, text)
                case (.null, .integer): statement.bind(index, nil as Int?)
                case (.null, .real): statement.bind(index, nil as Double?)
                case (.null, .text): statement.bind(index, nil as String?)
                }
                index += 1
            }
        }
        _ = try statement.step()
        pending.removeAll(keepingCapacity: true)
    }

    private func sql(rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: table.columns.count).joined(separator: ", ") + ")"
        let overriding = table.identity != nil && database.engine == .postgres ? " OVERRIDING SYSTEM VALUE" : ""
        return "INSERT INTO \(table.name) (\(table.columns.map(\.name).joined(separator: ", ")))\(overriding) VALUES "
            + Array(repeating: row, count: rows).joined(separator: ", ")
    }
}
