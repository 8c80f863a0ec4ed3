/// Limits on what an import accepts (ADR 0006): the API's own input limits, so nothing enters the database
/// through an import that the API would refuse, plus bounds that keep each record's memory bounded.
///
/// The defaults are those of `[limits]`; the web worker, the CLI and the archive writer pass the configured
/// values (`limits.message_max_chars`, `limits.title_max_chars`, `limits.json_max_depth`).
public struct ImportLimits: Sendable, Equatable {
    /// The whole input, decompressed (1 GiB by default; the CLI lifts it for the operator's own files).
    public var maxTotalBytes: Int
    /// One record, i.e. one conversation with its messages (64 MiB by default).
    public var maxRecordBytes: Int
    /// Messages in one conversation.
    public var maxMessages: Int
    /// `limits.message_max_chars`: the content, reasoning and error of every message, whatever its role.
    public var maxMessageCharacters: Int
    /// `limits.title_max_chars`: a conversation's title.
    public var maxTitleCharacters: Int
    /// `limits.json_max_depth`: how deep a record may nest (the format itself needs 3).
    public var maxJSONDepth: Int
    public var maxSystemPromptCharacters = TextLimits.maxSystemPromptCharacters
    public var maxModelIDCharacters = TextLimits.maxModelIDCharacters
    /// Short text fields: finish reasons, generation and request ids.
    public var maxShortFieldCharacters = 1_000

    /// How far past this server's clock a timestamp may be. Clocks of two machines kept by NTP differ by far
    /// less; a time beyond that is an error or a forgery, and would win every "newer copy" comparison forever.
    public static let maxClockSkewSeconds = 300

    /// Bytes of JSON text one character of a text field may take: a 4-byte UTF-8 character, a 2-scalar emoji,
    /// a `\u0001` escape of a control character all fit. Bounds a string while it is read, before it is decoded.
    public static let maxBytesPerCharacter = 8

    public init(maxTotalBytes: Int = 1 << 30, maxRecordBytes: Int = 64 << 20, maxMessages: Int = 100_000,
                maxMessageCharacters: Int = 200_000, maxTitleCharacters: Int = 200, maxJSONDepth: Int = 32) {
        self.maxTotalBytes = maxTotalBytes
        self.maxRecordBytes = maxRecordBytes
        self.maxMessages = maxMessages
        self.maxMessageCharacters = maxMessageCharacters
        self.maxTitleCharacters = maxTitleCharacters
        self.maxJSONDepth = maxJSONDepth
    }

    /// The longest JSON string (raw bytes between its quotes) the record splitter lets through: the longest
    /// text field allowed, at ``maxBytesPerCharacter``. A longer one is refused while it is being read.
    public var maxStringBytes: Int {
        max(maxMessageCharacters, maxSystemPromptCharacters, maxTitleCharacters, maxShortFieldCharacters) * Self.maxBytesPerCharacter
    }

    /// The record splitter an import under these limits reads with.
    public func makeSplitter() -> JSONRecordSplitter {
        JSONRecordSplitter(maxRecordBytes: maxRecordBytes, maxStringBytes: maxStringBytes, maxDepth: maxJSONDepth)
    }

    /// Whether an import's splitter takes `line` (one encoded record) whole. A text within the character limits can
    /// still be longer in bytes than the splitter allows (25-byte emoji sequences count as one character): the
    /// archive writer asks this too, so a month file holds no record an import would stop at.
    public func splitterTakes(_ line: [UInt8]) -> Bool {
        var splitter = makeSplitter()
        _ = line.withUnsafeBytes { splitter.append($0) }
        return splitter.failure == nil
    }

    /// Why an import would refuse `archived` (as it stands in a database), or nil if it would take it. The archive
    /// writer asks before writing a conversation it may later prune, so a month file holds only what comes back.
    /// The clock is not consulted (a stored conversation is not from the future).
    public func refusal(of archived: ExportedConversation) -> String? {
        do throws(ImportProblem) {
            try ImportValidator(limits: self).check(archived, latestAccepted: nil)
            return nil
        } catch {
            return error.message
        }
    }
}
