import NTSystem

/// The conversation an import stores beside a stored one whose history it conflicts with (``ImportMerge``): the
/// file's conversation under new ids, its title marked, everything else as in the file.
///
/// The ids are derived from the file's content (SHA-256), not drawn at random, so importing the same file again
/// finds the copy it made the first time and changes nothing. Another account importing the same file gets a copy
/// of its own (the importing account is part of what the ids are derived from, except for the appliance's own
/// account, whose copies keep the ids they had before accounts existed).
enum ConflictCopy {
    static let titleSuffix = " (imported copy)"

    static func make(_ archived: ExportedConversation, maxTitleCharacters: Int, ownerID: String = Conversation.ownerAccountID) throws -> ExportedConversation {
        var hasher = SHA256()
        hasher.update(Array("neural-terminal conflict copy\n".utf8))
        if ownerID != Conversation.ownerAccountID { hasher.update(Array("owner \(ownerID)\n".utf8)) }
        hasher.update(try ExportEncoding.line(archived.conversation))
        for message in archived.messages { hasher.update(try ExportEncoding.line(message)) }
        let id = uuid(hasher.finalize())
        var copy = archived
        copy.conversation.id = id
        copy.conversation.title = title(archived.conversation.title, max: maxTitleCharacters)
        let newID = { (old: String) in uuid(hashing: id + "/" + old) }
        copy.conversation.currentLeafID = archived.conversation.currentLeafID.map(newID)
        copy.messages = archived.messages.map { message in
            var m = message
            m.id = newID(message.id)
            m.parentID = message.parentID.map(newID)
            m.conversationID = id
            return m
        }
        return copy
    }

    /// `title` with the suffix, shortened to fit `max` characters.
    static func title(_ title: String, max: Int) -> String {
        guard max > titleSuffix.count else { return String(title.prefix(max)) }
        return String(title.prefix(max - titleSuffix.count)) + titleSuffix
    }

    static func uuid(hashing text: String) -> String {
        var hasher = SHA256()
        hasher.update(Array(text.utf8))
        return uuid(hasher.finalize())
    }

    /// The first 16 bytes of a digest in the id form, marked as a name-based UUID (version 5, RFC 4122 variant).
    static func uuid(_ digest: [UInt8]) -> String {
        var bytes = Array(digest.prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = Array(bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }.joined(separator: "-")
    }
}
