import FoundationEssentials

/// The export format of Neural Terminal (ADR 0006): JSON Lines, one conversation per line.
///
/// An export of everything is a header line followed by one ``ExportedConversation`` per line; a single
/// conversation is the same object with the header fields merged in, pretty-printed. ``ConversationImporter`` reads
/// both, and any mix of them separated by whitespace.
public enum ExportFileFormat {
    /// The value of the header's `format` field.
    public static let name = "neural-terminal-export"
    /// The version this binary writes and the newest it reads. Version 2 (ADR 0017) carries the message tree
    /// (`parent_id`, `current_leaf_id`); version 1 files import as linear chains, and a binary that knows only 1
    /// refuses a tree rather than flattening its branches into one history.
    public static let version = 2
    /// The media type of a whole-database export.
    public static let ndjsonContentType = "application/x-ndjson"
}

/// The first line of an export: what it is, which version, when it was taken.
public struct ExportHeader: Codable, Sendable, Equatable {
    public var format: String
    public var version: Int
    public var exportedAt: String

    public init(exportedAt: String = Identifiers.now()) {
        self.format = ExportFileFormat.name
        self.version = ExportFileFormat.version
        self.exportedAt = exportedAt
    }

    enum CodingKeys: String, CodingKey {
        case format, version
        case exportedAt = "exported_at"
    }
}

/// One conversation with every message, all fields included: one line of an export.
///
/// `conversation.message_count` and `conversation.cost_usd` are written for readers of the file; an import
/// ignores them, as they follow from the messages.
public struct ExportedConversation: Encodable, Sendable, Equatable {
    public var conversation: Conversation
    public var messages: [Message]

    public init(conversation: Conversation, messages: [Message]) {
        self.conversation = conversation
        self.messages = messages
    }

    enum CodingKeys: String, CodingKey { case conversation, messages }
}

/// An ``ExportedConversation`` with the header fields: the single-conversation JSON document.
struct ExportDocument: Encodable {
    let header: ExportHeader
    let archived: ExportedConversation

    func encode(to encoder: any Encoder) throws {
        try header.encode(to: encoder)
        try archived.encode(to: encoder)
    }
}

/// Encoding of the export's lines and documents. Keys are sorted, so one database always gives the same bytes.
public enum ExportEncoding {
    /// One compact JSON object followed by `\n`.
    public static func line(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes = [UInt8](try encoder.encode(value))
        bytes.append(0x0A)
        return bytes
    }

    /// The single-conversation JSON export: header fields plus the conversation, pretty-printed.
    public static func document(_ archived: ExportedConversation, exportedAt: String = Identifiers.now()) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        var bytes = [UInt8](try encoder.encode(ExportDocument(header: ExportHeader(exportedAt: exportedAt), archived: archived)))
        bytes.append(0x0A)
        return bytes
    }

    /// A file name for a conversation's export: `<slug of the title>-<first 8 characters of the id>.<ext>`.
    public static func fileName(for conversation: Conversation, extension ext: String) -> String {
        "\(slug(conversation.title))-\(conversation.id.prefix(8)).\(ext)"
    }

    /// Lower-case ASCII letters and digits, other runs turned into one `-`, at most 50 characters;
    /// `conversation` when nothing is left. Safe inside a quoted `Content-Disposition` file name.
    public static func slug(_ title: String) -> String {
        var out: [UInt8] = []
        var pendingDash = false
        for byte in title.utf8 {
            let lower = (byte >= 65 && byte <= 90) ? byte + 32 : byte
            if (lower >= 97 && lower <= 122) || (lower >= 48 && lower <= 57) {
                if pendingDash && !out.isEmpty { out.append(45) }
                pendingDash = false
                out.append(lower)
                if out.count >= 50 { break }
            } else {
                pendingDash = true
            }
        }
        return out.isEmpty ? "conversation" : String(decoding: out, as: UTF8.self)
    }
}
