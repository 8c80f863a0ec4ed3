/// A one-pass reader of the chunk shape nearly every token arrives in: an object whose `id`, `model` and
/// `provider` are strings, whose `choices` hold `index`, a `delta` with `content` and `reasoning` strings, and the
/// finish reasons; other members are skipped unread. It reads straight from the event's UTF-8 bytes, with no
/// intermediate tree and no `Codable` machinery: Foundation's `JSONDecoder` cost about 15 % of the web worker's
/// CPU relaying 500 streams, most of it per token.
///
/// It gives up (returns nil) on anything else — `usage`, `error`, `reasoning_details`, a member of another type
/// than the above, a repeated member, invalid JSON or UTF-8 — and the caller then decodes the chunk with
/// `JSONDecoder`, whose result (or error) is the reference: where this reader answers, it answers the same.
enum ChunkFastPath {
    static func read(_ bytes: UnsafeBufferPointer<UInt8>) -> WireChunk? {
        var reader = Reader(bytes: bytes)
        guard let chunk = reader.chunk(), reader.atEnd() else { return nil }
        return chunk
    }

    /// Which of an object's known members were read: a repeated one makes the reader give up (which of the two
    /// counts is the reference decoder's business). Unknown members may repeat: both decoders skip them.
    private struct Seen {
        var mask = 0

        /// False when member `bit` was read before.
        mutating func once(_ bit: Int) -> Bool {
            defer { mask |= 1 << bit }
            return mask & (1 << bit) == 0
        }
    }

    /// A member's name, compared as bytes: names are read without making a `String` of each (a chunk has a dozen).
    fileprivate struct Key {
        let bytes: UnsafeBufferPointer<UInt8>

        func `is`(_ name: StaticString) -> Bool {
            bytes.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0

        mutating func chunk() -> WireChunk? {
            var chunk = WireChunk()
            var seen = Seen()
            let ok = members { key, reader in
                if key.is("id") { return seen.once(0) && reader.optionalString(&chunk.id) }
                if key.is("model") { return seen.once(1) && reader.optionalString(&chunk.model) }
                if key.is("provider") { return seen.once(2) && reader.optionalString(&chunk.provider) }
                if key.is("choices") { return seen.once(3) && reader.choices(&chunk.choices) }
                if key.is("usage") || key.is("error") { return false }
                return reader.skipValue()
            }
            return ok ? chunk : nil
        }

        mutating func choices(_ into: inout [WireChunk.Choice]?) -> Bool {
            if literal("null") { return true }
            guard consume(0x5B) else { return false }
            var list: [WireChunk.Choice] = []
            skipWhitespace()
            if consume(0x5D) {
                into = list
                return true
            }
            repeat {
                var choice = WireChunk.Choice()
                var seen = Seen()
                let ok = members { key, reader in
                    if key.is("index") { return seen.once(0) && reader.optionalInt(&choice.index) }
                    if key.is("delta") { return seen.once(1) && reader.delta(&choice.delta) }
                    if key.is("finish_reason") { return seen.once(2) && reader.optionalString(&choice.finishReason) }
                    if key.is("native_finish_reason") { return seen.once(3) && reader.optionalString(&choice.nativeFinishReason) }
                    return reader.skipValue()
                }
                guard ok else { return false }
                list.append(choice)
            } while consume(0x2C)
            guard consume(0x5D) else { return false }
            into = list
            return true
        }

        mutating func delta(_ into: inout WireChunk.Delta?) -> Bool {
            if literal("null") { return true }
            var delta = WireChunk.Delta()
            var seen = Seen()
            let ok = members { key, reader in
                if key.is("content") { return seen.once(0) && reader.optionalString(&delta.content) }
                if key.is("reasoning") { return seen.once(1) && reader.optionalString(&delta.reasoning) }
                if key.is("reasoning_details") { return false }
                return reader.skipValue()
            }
            guard ok else { return false }
            into = delta
            return true
        }

        /// `{ "key": value, … }`, handing each key to `member`, which must read (or skip) the value. A key with an
        /// escape makes the reader give up (no chunk member is spelled with one).
        mutating func members(_ member: (Key, inout Reader) -> Bool) -> Bool {
            guard consume(0x7B) else { return false }
            skipWhitespace()
            if consume(0x7D) { return true }
            repeat {
                skipWhitespace()
                guard let key = plainString(), consume(0x3A) else { return false }
                skipWhitespace()
                guard member(Key(bytes: key), &self) else { return false }
            } while consume(0x2C)
            return consume(0x7D)
        }

        mutating func optionalString(_ into: inout String?) -> Bool {
            if literal("null") { return true }
            guard let value = string() else { return false }
            into = value
            return true
        }

        mutating func optionalInt(_ into: inout Int?) -> Bool {
            if literal("null") { return true }
            skipWhitespace()
            let start = at
            if at < bytes.count, bytes[at] == 0x2D { at += 1 }
            let digits = at
            while at < bytes.count, (0x30...0x39).contains(bytes[at]) { at += 1 }
            let count = at - digits
            guard count > 0, count <= 18, !(count > 1 && bytes[digits] == 0x30) else { return false }
            if at < bytes.count, bytes[at] == 0x2E || bytes[at] == 0x65 || bytes[at] == 0x45 { return false }
            var value = 0
            for index in digits..<at { value = value * 10 + Int(bytes[index] - 0x30) }
            into = bytes[start] == 0x2D ? -value : value
            return true
        }

        /// The bytes of a JSON string that has no escape, validated as UTF-8, without making a `String` of them; nil
        /// (and nothing read) when the next value is not such a string.
        mutating func plainString() -> UnsafeBufferPointer<UInt8>? {
            skipWhitespace()
            guard at < bytes.count, bytes[at] == 0x22 else { return nil }
            var end = at + 1
            var ascii = true
            while end < bytes.count, bytes[end] != 0x22, bytes[end] != 0x5C, bytes[end] >= 0x20 {
                if bytes[end] >= 0x80 { ascii = false }
                end += 1
            }
            guard end < bytes.count, bytes[end] == 0x22 else { return nil }
            let text = UnsafeBufferPointer(rebasing: bytes[(at + 1)..<end])
            if !ascii, String(validating: text, as: UTF8.self) == nil { return nil }
            at = end + 1
            return text
        }

        /// A JSON string, unescaped and validated as UTF-8; nil when it is not one.
        mutating func string() -> String? {
            skipWhitespace()
            guard at < bytes.count, bytes[at] == 0x22 else { return nil }
            at += 1
            let start = at
            while at < bytes.count, bytes[at] != 0x22, bytes[at] != 0x5C, bytes[at] >= 0x20 { at += 1 }
            guard at < bytes.count else { return nil }
            if bytes[at] == 0x22 {
                defer { at += 1 }
                return String(validating: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
            }
            guard bytes[at] == 0x5C else { return nil }
            var text = Array(bytes[start..<at])
            while at < bytes.count {
                let byte = bytes[at]
                at += 1
                switch byte {
                case 0x22: return String(validating: text, as: UTF8.self)
                case 0x5C:
                    guard at < bytes.count else { return nil }
                    let escape = bytes[at]
                    at += 1
                    switch escape {
                    case 0x22, 0x5C, 0x2F: text.append(escape)
                    case 0x62: text.append(0x08)
                    case 0x66: text.append(0x0C)
                    case 0x6E: text.append(0x0A)
                    case 0x72: text.append(0x0D)
                    case 0x74: text.append(0x09)
                    case 0x75:
                        guard let scalar = unicodeEscape() else { return nil }
                        text.append(contentsOf: String(Character(scalar)).utf8)
                    default: return nil
                    }
                case ..<0x20: return nil
                default: text.append(byte)
                }
            }
            return nil
        }

        /// The scalar of `\uXXXX` (after the `u`), joining a surrogate pair; nil for a lone surrogate.
        mutating func unicodeEscape() -> Unicode.Scalar? {
            guard let high = hex4() else { return nil }
            if (0xD800...0xDBFF).contains(high) {
                guard at + 1 < bytes.count, bytes[at] == 0x5C, bytes[at + 1] == 0x75 else { return nil }
                at += 2
                guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
            }
            return Unicode.Scalar(high)
        }

        mutating func hex4() -> UInt32? {
            guard at + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[at]
                at += 1
                let digit: UInt8
                switch byte {
                case 0x30...0x39: digit = byte - 0x30
                case 0x41...0x46: digit = byte - 0x41 + 10
                case 0x61...0x66: digit = byte - 0x61 + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }

        /// Skips one value of any type; false when it is not valid JSON.
        mutating func skipValue() -> Bool {
            skipWhitespace()
            guard at < bytes.count else { return false }
            switch bytes[at] {
            case 0x22: return plainString() != nil || string() != nil
            case 0x7B: return members { _, reader in reader.skipValue() }
            case 0x5B:
                at += 1
                skipWhitespace()
                if consume(0x5D) { return true }
                repeat { guard skipValue() else { return false } } while consume(0x2C)
                return consume(0x5D)
            case 0x74: return literal("true")
            case 0x66: return literal("false")
            case 0x6E: return literal("null")
            default: return number()
            }
        }

        /// A JSON number (RFC 8259 grammar).
        mutating func number() -> Bool {
            if at < bytes.count, bytes[at] == 0x2D { at += 1 }
            guard at < bytes.count else { return false }
            if bytes[at] == 0x30 {
                at += 1
            } else {
                guard digits() else { return false }
            }
            if at < bytes.count, bytes[at] == 0x2E {
                at += 1
                guard digits() else { return false }
            }
            if at < bytes.count, bytes[at] == 0x65 || bytes[at] == 0x45 {
                at += 1
                if at < bytes.count, bytes[at] == 0x2B || bytes[at] == 0x2D { at += 1 }
                guard digits() else { return false }
            }
            return true
        }

        mutating func digits() -> Bool {
            let start = at
            while at < bytes.count, (0x30...0x39).contains(bytes[at]) { at += 1 }
            return at > start
        }

        mutating func literal(_ word: StaticString) -> Bool {
            skipWhitespace()
            let count = word.utf8CodeUnitCount
            guard at + count <= bytes.count else { return false }
            for index in 0..<count where bytes[at + index] != word.utf8Start[index] { return false }
            at += count
            return true
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            skipWhitespace()
            guard at < bytes.count, bytes[at] == byte else { return false }
            at += 1
            return true
        }

        mutating func skipWhitespace() {
            while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
        }

        mutating func atEnd() -> Bool {
            skipWhitespace()
            return at == bytes.count
        }
    }
}
