import FoundationEssentials
import NTChat
import NTFiles
import NTSystem
#if canImport(Glibc)
import Glibc
#endif

/// What reading an archive file back found: its hash and size, and what the part from a given offset (the frames
/// one run added) decompresses to, parsed line by line.
///
/// Used before a month file replaces the old one (the new frame must hold exactly what was written) and before
/// pruning conversations archived by an earlier run (the whole file must hold them). Streams: memory is one zstd
/// window, one record and the list of conversation ids, whatever the file's size.
public struct ArchiveReadBack: Sendable, Equatable {
    /// Size of the whole file.
    public var bytes = 0
    /// SHA-256 of the whole file, as hex.
    public var sha256 = ""
    /// SHA-256 of the bytes before the offset (the file as it was before this run appended), when the offset is > 0.
    public var prefixSHA256: String?
    /// Export header lines found after the offset (one per frame).
    public var headers = 0
    /// Conversation records after the offset.
    public var conversations = 0
    /// Messages in them.
    public var messages = 0
    /// Their conversation ids, in file order.
    public var ids: [String] = []

    /// Reads the file at `path`: hashes all of it, and decompresses and parses every line from `offset` (a frame
    /// boundary) to the end. Throws ``ArchiveError/verification(file:problem:)`` for a corrupt or truncated frame,
    /// a line that is not JSON, or a line that is neither an export header nor a conversation.
    public static func read(_ path: String, decodeFrom offset: Int = 0) throws -> ArchiveReadBack {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        func problem(_ text: String) -> ArchiveError { .verification(file: name, problem: text) }
        let fd: Int32
        do { fd = try FileOps.openRead(path) } catch let error as FileError { throw ArchiveError.file(error) }
        defer { close(fd) }
        var result = ArchiveReadBack()
        var whole = SHA256()
        var prefix = SHA256()
        var parser = LineCounter()
        let decoder = try ZstdDecoder(label: name)
        var buffer = [UInt8](repeating: 0, count: FileOps.chunk)
        do {
            while true {
                let n = try buffer.withUnsafeMutableBytes { try FileOps.read(fd, into: $0.baseAddress!, count: $0.count, path: path) }
                if n == 0 { break }
                let chunk = Array(buffer[0..<n])
                whole.update(chunk)
                let split = max(0, min(n, offset - result.bytes))
                if split > 0 { prefix.update(Array(chunk[0..<split])) }
                result.bytes += n
                if split < n {
                    decoder.feed(Array(chunk[split...]))
                    while let piece = try decoder.next() { try parser.take(piece, into: &result) }
                }
            }
            guard result.bytes > offset else { throw problem("nothing after byte \(offset)") }
            try parser.take(try decoder.finish(), into: &result)
            try parser.finish()
        } catch let error as FileError {
            throw problem(error.description)
        } catch let error as LineCounter.Failure {
            throw problem(error.text)
        }
        result.sha256 = whole.finalizeHex()
        if offset > 0 { result.prefixSHA256 = prefix.finalizeHex() }
        return result
    }
}

/// Cuts decompressed bytes into records and counts them.
struct LineCounter {
    struct Failure: Error { let text: String }

    private var splitter = JSONRecordSplitter(maxRecordBytes: ImportLimits().maxRecordBytes)
    private let decoder = JSONDecoder()

    mutating func take(_ bytes: [UInt8], into result: inout ArchiveReadBack) throws {
        guard !bytes.isEmpty else { return }
        let records = bytes.withUnsafeBytes { splitter.append($0) }
        for record in records {
            let probe: RecordProbe
            do {
                probe = try decoder.decode(RecordProbe.self, from: Data(record.bytes))
            } catch {
                throw Failure(text: "line \(record.line) is not a valid record: \(error)")
            }
            if let conversation = probe.conversation {
                result.conversations += 1
                result.messages += probe.messages?.count ?? 0
                result.ids.append(conversation.id)
            } else if probe.format == ExportFileFormat.name {
                result.headers += 1
            } else {
                throw Failure(text: "line \(record.line) is neither an export header nor a conversation")
            }
        }
        if let failure = splitter.failure { throw Failure(text: "\(failure)") }
    }

    func finish() throws {
        do { try splitter.finish() } catch { throw Failure(text: "the text ends inside a record (\(error))") }
    }
}

/// Just enough of a record to count it.
private struct RecordProbe: Decodable {
    struct Identified: Decodable { var id: String }
    struct Skipped: Decodable { init(from decoder: any Decoder) throws {} }
    var format: String?
    var conversation: Identified?
    var messages: [Skipped]?
}
