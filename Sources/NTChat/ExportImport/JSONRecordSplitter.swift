/// Splits a stream of bytes into top-level JSON values without parsing them, so an import holds one record at a
/// time however large the file is.
///
/// It tracks only nesting depth and whether it is inside a string, which is enough to find where each object
/// ends; whether the record is valid JSON is the decoder's job. Records may be separated by any whitespace, so
/// JSON Lines, one pretty-printed object, and a mix of both all work. A byte-order mark at the start is skipped.
///
/// Memory is bounded while reading, not after: a record is refused as soon as it grows past `maxRecordBytes`,
/// one string in it past `maxStringBytes`, or its nesting past `maxDepth`, before the rest of it is buffered.
public struct JSONRecordSplitter {
    /// One complete top-level value and the line (1-based) where it starts.
    public struct Record {
        public let line: Int
        public let bytes: [UInt8]
    }

    /// Why the bytes cannot be records.
    public enum Failure: Error, Equatable {
        /// Something other than `{` or `[` where a record should start.
        case unexpectedByte(line: Int, byte: UInt8)
        /// A record grew beyond the limit.
        case recordTooLarge(line: Int, limit: Int)
        /// The input ended inside a record.
        case truncated(line: Int)
        /// A string (a key or a value) of the record grew beyond the limit.
        case stringTooLong(line: Int, limit: Int)
        /// The record nests deeper than the limit.
        case tooDeep(line: Int, limit: Int)
    }

    public let maxRecordBytes: Int
    public let maxStringBytes: Int
    public let maxDepth: Int
    private var stringBytes = 0
    private var current: [UInt8] = []
    private var depth = 0
    private var nesting = JSONNesting()
    private var line = 1
    private var recordLine = 1
    private var atStart = true
    private var bomBytesSeen = 0

    public init(maxRecordBytes: Int, maxStringBytes: Int = .max, maxDepth: Int = .max) {
        self.maxRecordBytes = maxRecordBytes
        self.maxStringBytes = maxStringBytes
        self.maxDepth = maxDepth
    }

    /// The line the splitter has reached.
    public var currentLine: Int { line }

    /// The first problem found; once set, the splitter takes no more bytes.
    public private(set) var failure: Failure?

    /// Takes the next bytes; returns the records they complete. On bad input it returns the records completed
    /// before the problem and sets ``failure``.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) -> [Record] {
        guard failure == nil else { return [] }
        var records: [Record] = []
        do throws(Failure) {
            try split(bytes, into: &records)
        } catch {
            failure = error
        }
        return records
    }

    private mutating func split(_ bytes: UnsafeRawBufferPointer, into records: inout [Record]) throws(Failure) {
        var index = 0
        let count = bytes.count
        while index < count {
            if depth == 0 {
                let byte = bytes[index]
                index += 1
                if atStart && bomBytesSeen < 3 && byte == [0xEF, 0xBB, 0xBF][bomBytesSeen] {
                    bomBytesSeen += 1
                    continue
                }
                atStart = false
                switch byte {
                case 0x0A: line += 1
                case 0x20, 0x09, 0x0D: break
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth = 1
                    recordLine = line
                    current = [byte]
                default:
                    throw Failure.unexpectedByte(line: line, byte: byte)
                }
                continue
            }
            // Inside a record: scan to its end or the end of the chunk, then copy the span at once.
            let start = index
            var finished = false
            while index < count {
                let byte = bytes[index]
                index += 1
                if byte == 0x0A { line += 1 }
                depth += nesting.step(byte)
                if nesting.isInString {
                    stringBytes += 1 // the opening quote counts too, hence the - 1 below
                    if stringBytes - 1 > maxStringBytes { throw Failure.stringTooLong(line: recordLine, limit: maxStringBytes) }
                } else {
                    stringBytes = 0
                    if depth > maxDepth { throw Failure.tooDeep(line: recordLine, limit: maxDepth) }
                }
                if depth == 0 {
                    finished = true
                    break
                }
            }
            guard current.count + (index - start) <= maxRecordBytes else {
                throw Failure.recordTooLarge(line: recordLine, limit: maxRecordBytes)
            }
            current.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
            if finished {
                records.append(Record(line: recordLine, bytes: current))
                current = []
            }
        }
    }

    /// Call at the end of the input: fails if a problem was found or the input ended inside a record.
    public func finish() throws(Failure) {
        if let failure { throw failure }
        if depth > 0 { throw Failure.truncated(line: recordLine) }
    }
}
