import FoundationEssentials
import NTFiles

/// The manifest beside each month file (`2026-08.jsonl.zst.json`): what the file must hold, so a later append or
/// prune can check the file without trusting it. Rewritten (temp file, fsync, rename) with every append.
public struct ArchiveManifest: Codable, Sendable, Equatable {
    /// The month file's name.
    public var file: String
    /// SHA-256 of the whole compressed file, as hex.
    public var sha256: String
    /// Size of the compressed file.
    public var bytes: Int
    /// Conversation records in the file (a conversation archived twice, in two states, counts twice).
    public var conversations: Int
    /// Messages in those records.
    public var messages: Int
    /// zstd frames: one per publish that added to the file (each batch of a run), each starting with an export header line.
    public var frames: Int
    /// When the file was last written (RFC 3339 UTC).
    public var updatedAt: String
    /// The export format and version of the lines (ADR 0006).
    public var format: String
    public var version: Int

    public init(file: String, sha256: String, bytes: Int, conversations: Int, messages: Int, frames: Int, updatedAt: String,
                format: String, version: Int) {
        self.file = file
        self.sha256 = sha256
        self.bytes = bytes
        self.conversations = conversations
        self.messages = messages
        self.frames = frames
        self.updatedAt = updatedAt
        self.format = format
        self.version = version
    }

    static let suffix = ".json"

    /// The manifest path of a month file.
    public static func path(of file: String) -> String { file + suffix }

    /// Reads the manifest of the month file at `path`; nil when there is none or it is not a manifest.
    public static func read(of path: String) -> ArchiveManifest? {
        guard let bytes = try? FileOps.readSmall(Self.path(of: path)) else { return nil }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(ArchiveManifest.self, from: Data(bytes))
    }

    /// Whether this manifest describes an earlier, complete state of the month file at `path` that has since
    /// grown: its size is smaller than the file's and the file's first `bytes` bytes have its SHA-256. That is what
    /// a crash between publishing a grown file and its manifest leaves behind (`MonthFileWriter.publish` renames the
    /// file first): not damage, only a manifest to count again. A file shorter than its manifest, or whose beginning
    /// differs, is damaged.
    func describesPrefix(of path: String, fileBytes: Int) -> Bool {
        guard bytes > 0, bytes < fileBytes, let prefix = try? ArchiveReadBack.read(path, decodeFrom: bytes) else { return false }
        return prefix.prefixSHA256 == sha256
    }

    /// Replaces the manifest beside `path` (temp file, rename, directory fsync).
    func write(besideFileAt path: String, directory: String) throws {
        let final = Self.path(of: path)
        let temp = final + ".tmp"
        FileOps.remove(temp)
        defer { FileOps.remove(temp) }
        try FileOps.writeSmall(temp, try encoded())
        try FileOps.rename(temp, final)
        try FileOps.syncDirectory(directory)
    }

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return Array(try encoder.encode(self)) + [0x0A]
    }
}
