import FoundationEssentials

/// Reads an export (JSON Lines, or one pretty-printed conversation, or a mix) fed to it in chunks, and stores
/// each conversation through an ``ArchiveRepository`` as soon as its record is complete: memory holds one record,
/// not the file. Each conversation is stored in its own transaction, so conversations before a bad record are
/// kept (re-running the fixed file skips them as unchanged).
///
/// Use it from one task: `feed` every chunk, then `finish`.
public final class ArchiveImporter {
    public let repository: any ArchiveRepository
    public let limits: ImportLimits
    private var splitter: JSONRecordSplitter
    private let validator: ImportValidator
    private let decoder = JSONDecoder()
    public private(set) var summary = ImportSummary()
    /// Bytes fed so far.
    public private(set) var bytesRead = 0
    private var records = 0

    public init(repository: any ArchiveRepository, limits: ImportLimits = ImportLimits()) {
        self.repository = repository
        self.limits = limits
        self.splitter = JSONRecordSplitter(maxRecordBytes: limits.maxRecordBytes)
        self.validator = ImportValidator(limits: limits)
    }

    /// Takes the next chunk of the input and stores the conversations it completes.
    public func feed(_ chunk: [UInt8]) async throws {
        bytesRead += chunk.count
        guard bytesRead <= limits.maxTotalBytes else {
            throw ArchiveImportError(kind: .tooLarge, line: splitter.currentLine,
                                     message: "the input is larger than \(limits.maxTotalBytes / (1 << 20)) MiB")
        }
        let complete = chunk.withUnsafeBytes { splitter.append($0) }
        // Records before a problem in the same chunk are stored first, as if they had come in their own chunk.
        for record in complete { try await store(record) }
        if let failure = splitter.failure { throw ArchiveImportError(failure, imported: summary) }
    }

    /// Ends the input; returns what was done. An input with no conversation at all is refused.
    public func finish() throws -> ImportSummary {
        do throws(JSONRecordSplitter.Failure) {
            try splitter.finish()
        } catch {
            throw ArchiveImportError(error, imported: summary)
        }
        guard records > 0 else {
            throw ArchiveImportError(kind: .invalid, line: splitter.currentLine, message: "the input holds no export (it is empty)")
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
        if let format = decoded.format, format != ArchiveFormat.name {
            throw refusal(record.line, "format: \"\(format.prefix(60))\" is not \(ArchiveFormat.name)")
        }
        if let version = decoded.version, version > ArchiveFormat.version || version < 1 {
            throw refusal(record.line, "version \(version) is not supported; this binary reads version \(ArchiveFormat.version)")
        }
        guard let conversation = decoded.conversation else {
            if decoded.format != nil { return } // a header line
            throw refusal(record.line, "expected a header or a conversation (an object with \"conversation\" and \"messages\")")
        }
        let archived: ArchivedConversation
        do throws(ImportProblem) {
            archived = try validator.validate(conversation, decoded.messages ?? [])
        } catch {
            throw refusal(record.line, error.message)
        }
        let result: ImportResult
        do {
            result = try await repository.importConversation(archived)
        } catch let error as ArchiveStoreError {
            throw refusal(record.line, error.description)
        }
        switch result {
        case .inserted(let messages), .replaced(let messages):
            summary.importedConversations += 1
            summary.importedMessages += messages
        case .unchanged:
            summary.unchanged += 1
        case .keptNewer:
            summary.keptNewer += 1
        }
    }

    private func refusal(_ line: Int, _ message: String) -> ArchiveImportError {
        ArchiveImportError(kind: .invalid, line: line, message: message, imported: summary)
    }
}

/// What an import did: the JSON answer of `POST /api/import` and the CLI's last line.
public struct ImportSummary: Codable, Sendable, Equatable {
    /// Conversations added or replaced.
    public var importedConversations = 0
    /// Messages written with them.
    public var importedMessages = 0
    /// Conversations the database already held exactly.
    public var unchanged = 0
    /// Conversations skipped because the database's copy is newer (see ``ImportResult``).
    public var keptNewer = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case importedConversations = "imported_conversations"
        case importedMessages = "imported_messages"
        case unchanged
        case keptNewer = "kept_newer"
    }
}

/// A refused import: the line of the record at fault and what is wrong with it.
public struct ArchiveImportError: Error, Sendable, CustomStringConvertible {
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

    init(_ failure: JSONRecordSplitter.Failure, imported: ImportSummary) {
        switch failure {
        case .unexpectedByte(let line, let byte):
            let shown = byte >= 32 && byte < 127 ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
            self.init(kind: .invalid, line: line, message: "expected a JSON object, found \(shown)", imported: imported)
        case .recordTooLarge(let line, let limit):
            self.init(kind: .tooLarge, line: line, message: "a record is larger than \(limit / (1 << 20)) MiB", imported: imported)
        case .truncated(let line):
            self.init(kind: .invalid, line: line, message: "the input ends inside the record that starts here", imported: imported)
        }
    }

    public var description: String {
        var text = "line \(line): \(message)"
        if imported.importedConversations + imported.unchanged + imported.keptNewer > 0 {
            text += " (before it, \(imported.importedConversations) conversations were imported, \(imported.unchanged) unchanged)"
        }
        return text
    }
}
