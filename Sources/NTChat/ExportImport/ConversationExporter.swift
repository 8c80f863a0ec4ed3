/// Streams exports out of an ``ExportImportRepository`` in constant memory: conversations are read a page at a time
/// (keyset on id) and handed to the caller as bytes while the next page is still in the database.
///
/// The API writes the chunks to the response (which waits for the client to take them), the CLI to a file.
public struct ConversationExporter: Sendable {
    public let repository: any ExportImportRepository
    /// Conversations read per database call.
    public var pageSize: Int
    /// Bytes gathered before they are passed to the caller's `write`.
    public var chunkSize: Int

    public init(repository: any ExportImportRepository, pageSize: Int = 100, chunkSize: Int = 64 * 1024) {
        self.repository = repository
        self.pageSize = pageSize
        self.chunkSize = chunkSize
    }

    /// Progress of a running export or import.
    public struct Progress: Sendable {
        /// Conversations done (or bytes read, for an import).
        public var done: Int
        /// Conversations (or bytes) in all; nil when unknown.
        public var total: Int?
    }

    /// Writes the conversations of the account `ownerID` (everyone's when nil: the operator's export on the host)
    /// as JSON Lines: a header, then one conversation per line, in id order.
    ///
    /// - Parameters:
    ///   - write: receives the bytes in chunks of about ``chunkSize``; it may wait (back-pressure).
    ///   - progress: called after each page with the conversations written so far and the count at the start.
    /// - Returns: the number of conversations written.
    @discardableResult
    public func exportAll(
        ownerID: String?,
        exportedAt: String = Identifiers.now(),
        write: ([UInt8]) async throws -> Void,
        progress: (Progress) -> Void = { _ in }
    ) async throws -> Int {
        let total = try await repository.conversationCount(ownerID: ownerID)
        var pending = try ExportEncoding.line(ExportHeader(exportedAt: exportedAt))
        pending.reserveCapacity(chunkSize * 2)
        var lastID: String?
        var written = 0
        while true {
            let page = try await repository.exportPage(ownerID: ownerID, afterID: lastID, limit: pageSize)
            for archived in page {
                pending += try ExportEncoding.line(archived)
                if pending.count >= chunkSize {
                    try await write(pending)
                    pending.removeAll(keepingCapacity: true)
                }
            }
            written += page.count
            progress(Progress(done: written, total: total))
            guard page.count == pageSize, let last = page.last else { break }
            lastID = last.conversation.id
        }
        if !pending.isEmpty { try await write(pending) }
        return written
    }

    /// One conversation in the given format, or nil if there is no such conversation (or it belongs to another
    /// account than `ownerID`, when one is given).
    public func export(conversationID: String, ownerID: String?, format: ExportFormat, exportedAt: String = Identifiers.now()) async throws -> ExportedFile? {
        guard let archived = try await repository.exportConversation(id: conversationID),
              ownerID == nil || archived.conversation.ownerID == ownerID else { return nil }
        switch format {
        case .json:
            return ExportedFile(
                bytes: try ExportEncoding.document(archived, exportedAt: exportedAt),
                fileName: ExportEncoding.fileName(for: archived.conversation, extension: "json"),
                contentType: "application/json; charset=utf-8"
            )
        case .markdown:
            return ExportedFile(
                bytes: Array(MarkdownExport.render(archived).utf8),
                fileName: ExportEncoding.fileName(for: archived.conversation, extension: "md"),
                contentType: "text/markdown; charset=utf-8"
            )
        }
    }
}

/// The formats of a single-conversation export.
public enum ExportFormat: String, Sendable, CaseIterable {
    case json, markdown
}

/// A single-conversation export: its bytes and how to name and label them.
public struct ExportedFile: Sendable {
    public let bytes: [UInt8]
    public let fileName: String
    public let contentType: String
}
