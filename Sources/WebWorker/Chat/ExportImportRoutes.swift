import HTTPTypes
import Hummingbird
import Logging
import NTChat
import NTFiles
import NTHTTP

/// Export and import (format in ADR 0006). Thin: the work is ``ConversationExporter`` and
/// ``ConversationImporter`` in NTChat, which the CLI's `export` and `import` commands use too.
struct ExportImportRoutes: Sendable {
    let repository: (any ExportImportRepository)?
    /// `[limits]` at the point of use: the import applies the API's own field limits (``ImportLimits``).
    let limits: @Sendable () -> InputLimits

    /// Takes the chat repository; export and import answer 501 if it cannot do them.
    init(repository: any ChatRepository, limits: @escaping @Sendable () -> InputLimits = { InputLimits() }) {
        self.repository = repository as? any ExportImportRepository
        self.limits = limits
    }

    func add(to table: RouteTable) {
        table.add(.get, "/api/conversations/{id}/export") { request, context in
            let id = try Validate.id(context)
            let format = try Self.format(request.uri.queryParameters.get("format"), allowed: ExportFormat.allCases)
            let owner = try Ownership.accountID(context)
            guard let file = try await ConversationExporter(repository: try store()).export(conversationID: id, ownerID: owner, format: format) else {
                throw APIError.notFound
            }
            let headers = Self.downloadHeaders(contentType: file.contentType, fileName: file.fileName)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
        }
        table.add(.get, "/api/export") { request, context in
            _ = try Self.format(request.uri.queryParameters.get("format"), allowed: [.json])
            let exporter = ConversationExporter(repository: try store())
            let owner = try Ownership.accountID(context)
            let exportedAt = Identifiers.now()
            let stamp = String(exportedAt.prefix(19).filter { $0 != ":" && $0 != "-" }) + "Z"
            let headers = Self.downloadHeaders(
                contentType: ExportFileFormat.ndjsonContentType, fileName: "neural-terminal-export-\(stamp).jsonl"
            )
            let logger = context.logger
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                let started = ContinuousClock.now
                let count = try await exporter.exportAll(ownerID: owner, exportedAt: exportedAt) { bytes in
                    try await writer.write(ByteBuffer(bytes: bytes))
                }
                try await writer.finish(nil)
                let elapsed = (ContinuousClock.now - started).components
                let ms = elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000
                logger.info("export finished", metadata: ["conversations": "\(count)", "duration_ms": "\(ms)"])
            })
        }
        table.add(.post, "/api/import") { request, context in
            try await importBody(request, context: context)
        }
    }

    /// Streams the body through the importer. The limits hold for the body as sent and, for a monthly archive
    /// (zstd, decompressed as it arrives), for the decompressed bytes too: a small body that inflates is stopped at
    /// the same size, and each record at its own bounds while it is read.
    func importBody(_ request: Request, context: AppRequestContext) async throws -> Response {
        let importer = ConversationImporter(repository: try store(), limits: ImportLimits(limits()), ownerID: try Ownership.accountID(context))
        let maxBytes = importer.limits.maxTotalBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBytes {
            throw APIError(.contentTooLarge, code: "too_large", message: "the import is larger than \(maxBytes / (1 << 20)) MiB")
        }
        let decoder = MaybeZstdDecoder(label: "the request body")
        var received = 0
        do {
            for try await buffer in request.body {
                received += buffer.readableBytes
                guard received <= maxBytes else {
                    throw APIError(.contentTooLarge, code: "too_large", message: "the import is larger than \(maxBytes / (1 << 20)) MiB")
                }
                try decoder.feed(Array(buffer.readableBytesView))
                while let piece = try decoder.next() { try await importer.feed(piece) }
            }
            try await importer.feed(try decoder.finish())
            let summary = try importer.finish()
            context.logger.info("import finished", metadata: [
                "conversations_added": "\(summary.conversationsAdded)", "conversations_updated": "\(summary.conversationsUpdated)",
                "conversations_unchanged": "\(summary.conversationsUnchanged)", "conflicts": "\(summary.conflicts)",
                "busy": "\(summary.busy)", "messages_added": "\(summary.messagesAdded)",
                "messages_updated": "\(summary.messagesUpdated)", "bytes": "\(importer.bytesRead)",
            ])
            return JSONBody.response(summary)
        } catch let error as ImportError {
            context.logger.notice("import refused", metadata: ["error": "\(error.description)"])
            switch error.kind {
            case .invalid: throw APIError(.badRequest, code: "invalid_import", message: error.description)
            case .tooLarge: throw APIError(.contentTooLarge, code: "too_large", message: error.description)
            }
        } catch let error as FileError {
            context.logger.notice("import refused", metadata: ["error": "\(error.description)"])
            throw APIError(.badRequest, code: "invalid_import", message: error.description)
        }
    }

    func store() throws -> any ExportImportRepository {
        guard let repository else {
            throw APIError(.notImplemented, code: "not_supported", message: "this storage cannot export or import")
        }
        return repository
    }

    static func format(_ value: String?, allowed: [ExportFormat]) throws -> ExportFormat {
        guard let value else { return .json }
        guard let format = ExportFormat(rawValue: value), allowed.contains(format) else {
            throw APIError(.badRequest, code: "invalid_format",
                           message: "format must be \(allowed.map(\.rawValue).joined(separator: " or "))")
        }
        return format
    }

    /// A download: its type, `Content-Disposition: attachment` with the file name, never cached.
    static func downloadHeaders(contentType: String, fileName: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.contentDisposition] = "attachment; filename=\"\(fileName)\""
        headers[.cacheControl] = "no-store"
        return headers
    }
}
