/// What an import did: the JSON answer of `POST /api/import` and the CLI's last line (ADR 0006).
public struct ImportSummary: Codable, Sendable, Equatable {
    /// Conversations that were not in the database, added with their messages.
    public var conversationsAdded = 0
    /// Conversations that gained messages or newer copies of messages, title, model or system prompt.
    public var conversationsUpdated = 0
    /// Conversations of which the file held nothing newer than the database: nothing written.
    public var conversationsUnchanged = 0
    /// Conversations whose history in the file branches off the stored one: the stored one was kept and the
    /// file's stored beside it as a new conversation, titled "… (imported copy)".
    public var conflicts = 0
    /// Conversations skipped because an answer was streaming in them: import the file again later.
    public var busy = 0
    /// Messages written as new rows (of added conversations, of copies, or added to updated ones).
    public var messagesAdded = 0
    /// Stored messages replaced by the file's newer copy.
    public var messagesUpdated = 0
    /// Messages of the file that differ from the stored copy, which is as new or newer and was kept.
    public var messagesKept = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case conversationsAdded = "conversations_added"
        case conversationsUpdated = "conversations_updated"
        case conversationsUnchanged = "conversations_unchanged"
        case conflicts, busy
        case messagesAdded = "messages_added"
        case messagesUpdated = "messages_updated"
        case messagesKept = "messages_kept"
    }

    /// Whether any conversation has been dealt with.
    public var isEmpty: Bool { self == ImportSummary() }

    /// One sentence for people: `2 conversations added, 1 updated, 3 unchanged, …`.
    public var sentence: String {
        var parts = ["\(conversationsAdded) conversations added", "\(conversationsUpdated) updated", "\(conversationsUnchanged) unchanged"]
        if conflicts > 0 { parts.append("\(conflicts) in conflict, stored beside the database's as \"(imported copy)\"") }
        if busy > 0 { parts.append("\(busy) skipped while an answer streams in them (import again later)") }
        var messages = "messages: \(messagesAdded) added, \(messagesUpdated) updated"
        if messagesKept > 0 { messages += ", \(messagesKept) kept because the database's copy is as new or newer" }
        return parts.joined(separator: ", ") + "; " + messages
    }

    mutating func count(_ result: ImportResult) {
        switch result {
        case .added(let messages):
            conversationsAdded += 1
            messagesAdded += messages
        case .updated(let added, let updated, let kept):
            conversationsUpdated += 1
            messagesAdded += added
            messagesUpdated += updated
            messagesKept += kept
        case .unchanged(let kept):
            conversationsUnchanged += 1
            messagesKept += kept
        case .conflict:
            conflicts += 1
        case .busy:
            busy += 1
        }
    }
}

/// A refused import: the line of the record at fault and what is wrong with it.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case invalid, tooLarge }
    public let kind: Kind
    public let line: Int
    public let message: String
    /// What was stored before the refusal (those conversations stay).
    public var imported = ImportSummary()

    public init(kind: Kind, line: Int, message: String, imported: ImportSummary = ImportSummary()) {
        self.kind = kind
        self.line = line
        self.message = message
        self.imported = imported
    }

    init(_ failure: JSONRecordSplitter.Failure, limits: ImportLimits, imported: ImportSummary) {
        switch failure {
        case .unexpectedByte(let line, let byte):
            let shown = byte >= 32 && byte < 127 ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
            self.init(kind: .invalid, line: line, message: "expected a JSON object, found \(shown)", imported: imported)
        case .recordTooLarge(let line, let limit):
            self.init(kind: .tooLarge, line: line, message: "a record is larger than \(limit / (1 << 20)) MiB", imported: imported)
        case .truncated(let line):
            self.init(kind: .invalid, line: line, message: "the input ends inside the record that starts here", imported: imported)
        case .stringTooLong(let line, let limit):
            self.init(kind: .tooLarge, line: line, message: "a text in this record is longer than \(limit) bytes, more than any field "
                      + "may hold (a message at most \(limits.maxMessageCharacters) characters, limits.message_max_chars)", imported: imported)
        case .tooDeep(let line, let limit):
            self.init(kind: .invalid, line: line, message: "the record is nested more than \(limit) levels deep (limits.json_max_depth)",
                      imported: imported)
        }
    }

    public var description: String {
        "line \(line): \(message)" + (imported.isEmpty ? "" : " (before it: \(imported.sentence))")
    }
}
