@testable import NTChat
import NTSystem
import Testing

/// Ids are time-ordered version-7 UUIDs in the lower-case text form the API validates.
struct IdentifiersTests {
    @Test func idsAreVersionSevenUUIDsTheAPIAccepts() {
        var seen = Set<String>()
        for _ in 0..<1_000 {
            let id = Identifiers.uuid()
            #expect(Identifiers.isValid(id))
            let parts = id.split(separator: "-").map(\.count)
            #expect(parts == [8, 4, 4, 4, 12])
            let utf8 = Array(id.utf8)
            #expect(utf8[14] == UInt8(ascii: "7"))
            #expect([UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(utf8[19]))
            seen.insert(id)
        }
        #expect(seen.count == 1_000)
    }

    @Test func idsMadeLaterSortLaterEvenWithinOneMillisecond() {
        let ids = (0..<5_000).map { _ in Identifiers.uuid() }
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func theTimestampIsTheWallClockInMilliseconds() throws {
        let before = Self.wallClockMillis()
        let id = Identifiers.uuid()
        let after = Self.wallClockMillis()
        let millis = try #require(UInt64(String(id.filter { $0 != "-" }.prefix(12)), radix: 16))
        #expect(millis >= before && millis <= after + 1)
    }

    @Test func theCounterCountsWithinAMillisecondAndBorrowsTheNextWhenItRunsOut() {
        var clock = IdClock()
        let now = (seconds: 1_700_000_000, nanoseconds: 5_000_000)
        #expect(clock.next(now) == (1_700_000_000_005, 0))
        #expect(clock.next(now) == (1_700_000_000_005, 1))
        for _ in 2...0x0FFF { _ = clock.next(now) }
        #expect(clock.next(now) == (1_700_000_000_006, 0))
    }

    @Test func aClockSteppingBackDoesNotMakeIdsGoBackwards() {
        var clock = IdClock()
        #expect(clock.next((seconds: 1_700_000_010, nanoseconds: 0)) == (1_700_000_010_000, 0))
        #expect(clock.next((seconds: 1_700_000_000, nanoseconds: 0)) == (1_700_000_010_000, 1))
        #expect(clock.next((seconds: 1_700_000_011, nanoseconds: 0)) == (1_700_000_011_000, 0))
    }

    private static func wallClockMillis() -> UInt64 {
        let (seconds, nanoseconds) = WallClock.now()
        return UInt64(seconds) * 1000 + UInt64(nanoseconds / 1_000_000)
    }
}
