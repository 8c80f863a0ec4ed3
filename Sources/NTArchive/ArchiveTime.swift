import NTChat
import NTSystem

/// When a conversation was last active, and the UTC month it belongs to (``ArchiveMonth``); timestamps are read with
/// ``RFC3339`` as milliseconds since 1970.
///
/// RFC 3339 allows an offset (`+02:00`), so a conversation's last activity is the latest *instant* among its
/// timestamps, not the latest text.
public enum ArchiveTime {
    public static let dayMilliseconds: Int64 = 86_400_000

    /// The latest instant among a conversation's timestamps (its `updated_at` and every message's `updated_at`
    /// and `created_at`); nil if one of them is not a timestamp.
    public static func lastActivity(_ archived: ExportedConversation) -> Int64? {
        var latest = RFC3339.unixMilliseconds(archived.conversation.updatedAt)
        for message in archived.messages {
            guard let updated = RFC3339.unixMilliseconds(message.updatedAt), let created = RFC3339.unixMilliseconds(message.createdAt),
                  let current = latest else { return nil }
            latest = max(current, updated, created)
        }
        return latest
    }
}
