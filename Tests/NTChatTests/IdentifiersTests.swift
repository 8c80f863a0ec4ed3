import NTChat
import Testing

/// Ids are random version-4 UUIDs in the lower-case text form the API validates.
struct IdentifiersTests {
    @Test func idsAreVersionFourUUIDsTheAPIAccepts() {
        var seen = Set<String>()
        for _ in 0..<1_000 {
            let id = Identifiers.uuid()
            #expect(Identifiers.isValid(id))
            let parts = id.split(separator: "-").map(\.count)
            #expect(parts == [8, 4, 4, 4, 12])
            let utf8 = Array(id.utf8)
            #expect(utf8[14] == UInt8(ascii: "4"))
            #expect([UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(utf8[19]))
            seen.insert(id)
        }
        #expect(seen.count == 1_000)
    }
}
