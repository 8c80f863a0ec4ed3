import NTLog
import Testing

/// Correlation ids: fresh ones are random hex, incoming ones are adopted only when harmless.
@Suite("Correlation ids")
struct CorrelationIDTests {
    @Test("a new id is 32 lowercase hex characters, valid, and different every time")
    func newIDs() {
        let ids = (0..<1000).map { _ in makeCorrelationID() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(20) {
            #expect(id.utf8.count == 32)
            #expect(id.allSatisfy { $0.isHexDigit && !$0.isUppercase })
            #expect(isValidCorrelationID(id))
        }
    }

    @Test(
        "ids of 1-128 characters from A-Z a-z 0-9 . _ : - are valid",
        arguments: ["a", "req-123", "01J9Z3K4M5N6P7Q8R9S0T1V2W3", "trace:span.1_x", String(repeating: "x", count: 128)]
    )
    func validIDs(id: String) {
        #expect(isValidCorrelationID(id))
        #expect(correlationID(adopting: id) == id)
    }

    @Test(
        "anything else is rejected and replaced by a new id",
        arguments: ["", String(repeating: "x", count: 129), "a b", "a\nb", "a\"b", "ïd", "a/b", "<script>"]
    )
    func invalidIDs(id: String) {
        #expect(!isValidCorrelationID(id))
        let adopted = correlationID(adopting: id)
        #expect(adopted != id && adopted.utf8.count == 32)
    }

    @Test("a missing header gets a new id")
    func missingHeader() {
        #expect(isValidCorrelationID(correlationID(adopting: nil)))
    }
}
