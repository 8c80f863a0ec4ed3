import NTChat
import NTFiles
import NTSystem
#if canImport(Glibc)
import Glibc
#endif

/// Writes one month's archive file without ever exposing a partial one: a temporary file `.tmp-YYYY-MM.jsonl.zst`
/// receives the existing file's bytes unchanged (when there is one), then one new zstd frame holding an export
/// header and the new conversations (ADR 0006 lines, written by ``ExportEncoding``); ``finish()`` ends the frame
/// and fsyncs. The caller reads it back and only then calls ``publish(manifest:)``, which renames it into place.
///
/// Concatenated zstd frames are one valid stream (`zstd -d` and `neural-terminal import` read them as one), so the
/// earlier conversations are never decompressed or re-encoded, and memory stays one compression context.
final class MonthFileWriter {
    /// Temporary files of a run in progress start with this; they never look like a month file, and the next run
    /// removes what a crashed one left.
    static let temporaryPrefix = ".tmp-"

    let month: ArchiveMonth
    let directory: String
    let finalPath: String
    let tempPath: String
    /// Bytes and SHA-256 of the existing file copied in first (0 and nil when the month is new).
    private(set) var previousBytes = 0
    private(set) var previousSHA256: String?
    /// Records added by this writer: ids and states, in file order.
    private(set) var added: [(id: String, fingerprint: ArchiveFingerprint)] = []
    private(set) var addedMessages = 0
    private(set) var bytes = 0
    private var hasher = SHA256()
    private var fd: Int32
    private var encoder: ZstdEncoder!

    /// Creates the temporary file, copies the existing month file into it and starts the new frame.
    init(directory: String, month: ArchiveMonth, level: Int32, exportedAt: String) throws {
        self.month = month
        self.directory = directory
        finalPath = directory + "/" + month.fileName
        tempPath = directory + "/" + Self.temporaryPrefix + month.fileName
        FileOps.remove(tempPath)
        fd = try FileOps.createNew(tempPath)
        do {
            if FileOps.exists(finalPath) { try copyExisting() }
            previousBytes = bytes
            previousSHA256 = bytes > 0 ? hasher.copyHex() : nil
            encoder = try ZstdEncoder(level: level) { [unowned self] chunk in try self.emit(chunk) }
            try encoder.write(try ExportEncoding.line(ExportHeader(exportedAt: exportedAt)))
        } catch {
            discard()
            throw error
        }
    }

    /// Adds one conversation's line; false (and nothing written) when an import under `limits` would refuse it
    /// (too large, a field over a limit, a timestamp not in the exporter's form), so a month file never holds
    /// what `neural-terminal import` would not take back.
    func append(_ archived: ExportedConversation, limits: ImportLimits) throws -> Bool {
        guard archived.messages.count <= limits.maxMessages, limits.refusal(of: archived) == nil else { return false }
        let line = try ExportEncoding.line(archived)
        guard line.count <= limits.maxRecordBytes, limits.splitterTakes(line) else { return false }
        try encoder.write(line)
        added.append((archived.conversation.id, ArchiveFingerprint(archived)))
        addedMessages += archived.messages.count
        return true
    }

    /// Ends the frame and makes the temporary file durable; returns its size and SHA-256.
    func finish() throws -> (bytes: Int, sha256: String) {
        try encoder.finish()
        try FileOps.sync(fd, path: tempPath)
        close(fd)
        fd = -1
        return (bytes, hasher.copyHex())
    }

    /// Writes the manifest (temporary name, fsync), renames the file and then the manifest into place, and fsyncs
    /// the directory. A crash in between leaves a manifest that does not match; the next append notices and
    /// recounts the file.
    func publish(manifest: ArchiveManifest) throws {
        let manifestTemp = tempPath + ArchiveManifest.suffix
        FileOps.remove(manifestTemp)
        defer { FileOps.remove(manifestTemp) }
        try FileOps.writeSmall(manifestTemp, try manifest.encoded())
        try FileOps.rename(tempPath, finalPath)
        try FileOps.rename(manifestTemp, ArchiveManifest.path(of: finalPath))
        try FileOps.syncDirectory(directory)
    }

    /// Removes the temporary file (after a failure).
    func discard() {
        if fd >= 0 { close(fd) }
        fd = -1
        FileOps.remove(tempPath)
    }

    private func emit(_ chunk: UnsafeRawBufferPointer) throws {
        try FileOps.writeAll(fd, chunk.baseAddress!, chunk.count, path: tempPath)
        hasher.update(chunk)
        bytes += chunk.count
    }

    private func copyExisting() throws {
        let source = try FileOps.openRead(finalPath)
        defer { close(source) }
        var buffer = [UInt8](repeating: 0, count: FileOps.chunk)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try FileOps.read(source, into: $0.baseAddress!, count: $0.count, path: finalPath) }
            if n == 0 { break }
            try buffer.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }
}

extension SHA256 {
    /// The digest of what was hashed so far, leaving the hasher usable.
    func copyHex() -> String {
        var copy = self
        return copy.finalizeHex()
    }
}
