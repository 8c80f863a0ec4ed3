/// A table under construction, with the bookkeeping TOML 1.0 needs to reject redefinitions.
///
/// A reference type because headers and dotted keys reach into the tree by path and extend it in place; it never
/// leaves the parser, which freezes the tree into `TOMLTable` values at the end.
final class TOMLTableBuilder {
    /// How a table came to exist; decides whether a later header or dotted key may add to it.
    enum Origin {
        /// Created as an intermediate of a header path (`a` in `[a.b]`); a later `[a]` may still define it.
        case implicit
        /// Defined by its own `[header]`; may not be defined again nor extended by dotted keys.
        case header
        /// Created by a dotted key (`a.b = 1`); dotted keys may extend it, a header may not define it.
        case dotted
    }

    enum Entry {
        case value(TOMLValue)
        case table(TOMLTableBuilder)
    }

    var origin: Origin
    let line: Int
    private(set) var keys: [String] = []
    private(set) var entries: [String: Entry] = [:]

    init(origin: Origin, line: Int) {
        self.origin = origin
        self.line = line
    }

    subscript(key: String) -> Entry? { entries[key] }

    func add(_ key: String, _ entry: Entry) {
        if entries.updateValue(entry, forKey: key) == nil { keys.append(key) }
    }

    /// The immutable table, recursively.
    func freeze() -> TOMLTable {
        var table = TOMLTable()
        for key in keys {
            switch entries[key]! {
            case .value(let value): table.set(key, value)
            case .table(let child): table.set(key, TOMLValue(.table(child.freeze()), line: child.line))
            }
        }
        return table
    }

    /// How an existing entry is named in a "cannot redefine" message.
    static func describe(_ entry: Entry) -> String {
        switch entry {
        case .value(let value):
            if case .table = value.kind { return "an inline table at line \(value.line)" }
            return "\(value.typeDescription) at line \(value.line)"
        case .table(let table):
            return table.line > 0 ? "a table at line \(table.line)" : "a table"
        }
    }
}

extension TOMLParser {
    /// Walks `path` from `root` for a `[header]`, creating intermediate tables, and returns the table it defines.
    func defineTable(_ path: [String], in root: TOMLTableBuilder, line: Int) throws(TOMLSyntaxError) -> TOMLTableBuilder {
        var table = root
        for (index, key) in path.enumerated() {
            let name = Self.dotted(path[...index])
            let isLast = index == path.count - 1
            switch table[key] {
            case nil:
                let child = TOMLTableBuilder(origin: isLast ? .header : .implicit, line: line)
                table.add(key, .table(child))
                table = child
            case .table(let child) where !isLast:
                table = child
            case .table(let child):
                switch child.origin {
                case .implicit:
                    child.origin = .header
                    return child
                case .header:
                    throw TOMLSyntaxError(line: line, message: "table [\(name)] is defined twice (first at line \(child.line))")
                case .dotted:
                    throw TOMLSyntaxError(line: line, message: "table [\(name)] was already defined by dotted keys at line \(child.line)")
                }
            case .value(let value)?:
                throw TOMLSyntaxError(line: line, message: "cannot define table [\(Self.dotted(path[...]))]: '\(name)' is already \(TOMLTableBuilder.describe(.value(value)))")
            }
        }
        return table
    }

    /// Stores `value` at the dotted key `path` inside `table`, creating dotted-origin tables on the way.
    func insert(_ value: TOMLValue, at path: [String], in table: TOMLTableBuilder) throws(TOMLSyntaxError) {
        var table = table
        for (index, key) in path.enumerated() {
            let name = Self.dotted(path[...index])
            if index == path.count - 1 {
                if let existing = table[key] {
                    throw TOMLSyntaxError(line: value.line, message: "duplicate key '\(name)' (already \(TOMLTableBuilder.describe(existing)))")
                }
                table.add(key, .value(value))
                return
            }
            switch table[key] {
            case nil:
                let child = TOMLTableBuilder(origin: .dotted, line: value.line)
                table.add(key, .table(child))
                table = child
            case .table(let child) where child.origin == .dotted:
                table = child
            case let existing?:
                throw TOMLSyntaxError(line: value.line, message: "cannot add '\(Self.dotted(path[...]))' with dotted keys: '\(name)' is already \(TOMLTableBuilder.describe(existing))")
            }
        }
    }

    /// `a.b."c d"`-style rendering of a key path for messages; quotes keys that are not bare.
    static func dotted(_ path: ArraySlice<String>) -> String {
        path.map { key in
            let bare = !key.isEmpty && key.utf8.allSatisfy(isBareKeyByte)
            return bare ? key : "\"" + key + "\""
        }.joined(separator: ".")
    }
}
