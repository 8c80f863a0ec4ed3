import HTTPTypes
import Hummingbird
import Logging
import NTBackup
import NTChat
import NTHTTP

/// Export and import (issue 4, part 5; format in ADR 0006). Thin: the work is ``ArchiveExporter`` and
/// ``ArchiveImporter`` in NTChat, which the CLI's `export` and `import` commands use too.
struct ArchiveRoutes: Sendable {
    let repository: (any ArchiveRepository)?

    /// Takes the chat repository; export and import answer 501 if it cannot do them.
    init(repository: any ChatRepository) {
        self.repository = repository as? any ArchiveRepository
    }

    func add(to table: RouteTable) {
        table.add(.get, "/api/conversations/{id}/export") { request, context in
            let id = try Validate.id(context)
            let format = try Self.format(request.uri.queryParameters.get("format"), allowed: ExportFormat.allCases)
            guard let file = try await ArchiveExporter(repository: try archive()).export(conversationID: id, format: format) else {
                throw APIError.notFound
            }
            let headers = Self.downloadHeaders(contentType: file.contentType, fileName: file.fileName)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
        }
        table.add(.get, "/api/export") { request, context in
            _ = try Self.format(request.uri.queryParameters.get("format"), allowed: [.json])
            let exporter = ArchiveExporter(repository: try archive())
            let exportedAt = Identifiers.now()
            let stamp = String(exportedAt.prefix(19).filter { $0 != ":" && $0 != "-" }) + "Z"
            let headers = Self.downloadHeaders(
                contentType: ArchiveFormat.ndjsonContentType, fileName: "neural-terminal-export-\(stamp).jsonl"
            )
            let logger = context.logger
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                let started = ContinuousClock.now
                let count = try await exporter.exportAll(exportedAt: exportedAt) { bytes in
                    try await writer.write(ByteBuffer(bytes: bytes))
                }
                try await writer.finish(nil)
                let elapsed = (ContinuousClock.now - started).components
                let ms = elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000
                logger.info("export finished", metadata: ["conversations": "\(count)", "duration_ms": "\(ms)"])
            })
        }
        table.add(.post, "/api/import") { request, context in
            let importer = ArchiveImporter(repository: try archive())
            // A monthly archive (zstd) is decompressed as it arrives; the import's size limit counts decompressed bytes.
            let decoder = MaybeZstdDecoder(label: "the request body")
            do {
                for try await buffer in request.body {
                    try decoder.feed(Array(buffer.readableBytesView))
                    while let piece = try decoder.next() { try await importer.feed(piece) }
                }
                try await importer.feed(try decoder.finish())
                let summary = try importer.finish()
                context.logger.info("import finished", metadata: [
                    "imported_conversations": "\(summary.importedConversations)", "imported_messages": "\(summary.importedMessages)",
                    "unchanged": "\(summary.unchanged)", "kept_newer": "\(summary.keptNewer)", "bytes": "\(importer.bytesRead)",
                ])
                return JSONBody.response(summary)
            } catch let error as ArchiveImportError {
                context.logger.notice("import refused", metadata: ["error": "\(error.description)"])
                switch error.kind {
                case .invalid: throw APIError(.badRequest, code: "invalid_import", message: error.description)
                case .tooLarge: throw APIError(.contentTooLarge, code: "too_large", message: error.description)
                }
            } catch let error as BackupError {
                context.logger.notice("import refused", metadata: ["error": "\(error.description)"])
                throw APIError(.badRequest, code: "invalid_import", message: error.description)
            }
        }
    }

    func archive() throws -> any ArchiveRepository {
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
