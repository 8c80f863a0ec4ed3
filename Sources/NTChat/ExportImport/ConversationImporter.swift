import FoundationEssentials
import NTLog

/// Reads an export (JSON Lines, or one pretty-printed conversation, or a mix) fed to it in chunks, and stores
/// each conversation through an ``ExportImportRepository`` as soon as its record is complete: memory holds one record,
/// not the file, and a record is refused while it is read once it grows past ``ImportLimits``. Each conversation
/// is stored in its own transaction, so conversations before a bad record are kept (re-running the fixed file
/// finds them unchanged).
///
/// An import adds and updates, never deletes (``ImportMerge``); a conversation whose history conflicts with the
/// stored one is stored beside it (``ConflictCopy``).
///
/// Use it from one task: `feed` every chunk, then `finish`.
public final class ConversationImporter {
    public let repository: any ExportImportRepository
    public let limits: ImportLimits
    /// The account the imported conversations belong to.
    public let ownerID: String
    private var splitter: JSONRecordSplitter
    private let validator: ImportValidator
    private let decoder = JSONDecoder()
    private let clock: @Sendable () -> LogTimestamp
    public private(set) var summary = ImportSummary()
    /// Bytes fed so far.
    public private(set) var bytesRead = 0
    private var records = 0

    /// `clock`: this server's time, which no timestamp of the input may pass by more than
    /// ``ImportLimits/maxClockSkewSeconds``. `ownerID`: the account the conversations are imported for; a
    /// conversation of the file whose id another account's conversation has is stored as a copy (``ConflictCopy``),
    /// never merged into the other's.
    public init(repository: any ExportImportRepository, limits: ImportLimits = ImportLimits(),
                ownerID: String = Conversation.ownerAccountID,
                clock: @escaping @Sendable () -> LogTimestamp = { LogTimestamp.now() }) {
        self.repository = repository
        self.limits = limits
        self.ownerID = ownerID
        self.splitter = limits.makeSplitter()
        self.validator = ImportValidator(limits: limits)
        self.clock = clock
    }

    /// Takes the next chunk of the input and stores the conversations it completes.
    public func feed(_ chunk: [UInt8]) async throws {
        bytesRead += chunk.count
        guard bytesRead <= limits.maxTotalBytes else {
            throw ImportError(kind: .tooLarge, line: splitter.currentLine,
                                     message: "the input is larger than \(limits.maxTotalBytes / (1 << 20)) MiB", imported: summary)
        }
        let complete = chunk.withUnsafeBytes { splitter.append($0) }
        // Records before a problem in the same chunk are stored first, as if they had come in their own chunk.
        for record in complete { try await store(record) }
        if let failure = splitter.failure { throw ImportError(failure, limits: limits, imported: summary) }
    }

    /// Ends the input; returns what was done. An input with no conversation at all is refused.
    public func finish() throws -> ImportSummary {
        do throws(JSONRecordSplitter.Failure) {
            try splitter.finish()
        } catch {
            throw ImportError(error, limits: limits, imported: summary)
        }
        guard records > 0 else {
            throw ImportError(kind: .invalid, line: splitter.currentLine, message: "the input holds no export (it is empty)")
        }
        return summary
    }

    private func store(_ record: JSONRecordSplitter.Record) async throws {
        records += 1
        let decoded: ImportRecord
        do {
            decoded = try decoder.decode(ImportRecord.self, from: Data(record.bytes))
        } catch let error as DecodingError {
            throw refusal(record.line, error.importDescription)
        }
        if let format = decoded.format, format != ExportFileFormat.name {
            throw refusal(record.line, "format: \"\(format.prefix(60))\" is not \(ExportFileFormat.name)")
        }
        if let version = decoded.version, version > ExportFileFormat.version || version < 1 {
            throw refusal(record.line, "version \(version) is not supported; this binary reads versions 1 to \(ExportFileFormat.version)")
        }
        guard let conversation = decoded.conversation else {
            if decoded.format != nil { return } // a header line
            throw refusal(record.line, "expected a header or a conversation (an object with \"conversation\" and \"messages\")")
        }
        let now = clock()
        let latestAccepted = LogTimestamp(seconds: now.seconds + ImportLimits.maxClockSkewSeconds, nanoseconds: now.nanoseconds).rfc3339
        let archived: ExportedConversation
        do throws(ImportProblem) {
            archived = try validator.validate(conversation, decoded.messages ?? [], links: decoded.links ?? [], latestAccepted: latestAccepted)
        } catch {
            throw refusal(record.line, error.message)
        }
        do {
            var result = try await repository.importConversation(archived, ownerID: ownerID)
            if result == .conflict {
                // Keep the stored conversation; store the file's beside it. A copy made by an earlier import of
                // the same record is found again (its ids come from the content), so a re-import writes nothing.
                let copy = try ConflictCopy.make(archived, maxTitleCharacters: limits.maxTitleCharacters, ownerID: ownerID)
                switch try await repository.importConversation(copy, ownerID: ownerID) {
                case .added(let messages): summary.messagesAdded += messages
                case .busy: result = .busy
                default: result = .unchanged(kept: 0) // the copy is there already (and may have moved on since)
                }
            }
            summary.count(result)
        } catch let error as ImportStoreError {
            throw refusal(record.line, error.description)
        }
    }

    private func refusal(_ line: Int, _ message: String) -> ImportError {
        ImportError(kind: .invalid, line: line, message: message, imported: summary)
    }
}
