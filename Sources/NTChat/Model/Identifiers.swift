import NTLog
import NTSystem
import Synchronization

/// Identifiers and timestamps as the database stores them.
public enum Identifiers {
    /// A time-ordered UUID (version 7, RFC 9562) in lower-case text form: 48 bits of Unix milliseconds, a 12-bit
    /// counter and 62 random bits. Ids made later sort later, within a process even inside one millisecond, so a
    /// new row's key lands at the right edge of the primary-key and conversation indexes instead of on a random
    /// page: with random (version 4) ids, each turn dirtied pages spread over the whole index, and the commit's
    /// cost grew with the history (ADR 0023). 62 random bits still make an id impossible to guess.
    public static func uuid() -> String {
        var bytes = SecureRandom.bytes(16)
        let (millis, counter) = clock.withLock { $0.next(WallClock.now()) }
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (40 - 8 * index)) }
        bytes[6] = 0x70 | UInt8(counter >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: counter)
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(0x2D) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The last id's millisecond and counter, so that ids never go backwards in this process.
    private static let clock = Mutex(IdClock())

    /// Whether `text` looks like an id this module made (so a path parameter can be refused early with a 404).
    public static func isValid(_ text: String) -> Bool {
        text.utf8.count == 36 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || $0 == 45 }
    }

    /// Now, as RFC 3339 UTC with milliseconds (sorts as text).
    public static func now() -> String {
        LogTimestamp.now().rfc3339
    }
}

/// Millisecond and counter of the newest version-7 id (RFC 9562 §6.2, method 1). Within one millisecond the 12-bit
/// counter counts up and, when it runs out, the ids borrow the next millisecond. If the wall clock steps back, ids
/// keep counting from the newest millisecond until the clock catches up, so their order holds either way.
struct IdClock {
    private var millis: UInt64 = 0
    private var counter: UInt16 = 0

    mutating func next(_ now: (seconds: Int, nanoseconds: Int)) -> (millis: UInt64, counter: UInt16) {
        let wall = UInt64(max(0, now.seconds)) &* 1000 &+ UInt64(now.nanoseconds / 1_000_000)
        if wall > millis {
            millis = wall
            counter = 0
        } else if counter < 0x0FFF {
            counter += 1
        } else {
            millis += 1
            counter = 0
        }
        return (millis, counter)
    }
}
