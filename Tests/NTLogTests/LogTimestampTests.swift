import NTLog
import Testing

/// The `ts` field: RFC 3339, UTC, exactly three fraction digits, a trailing Z.
@Suite("Timestamps")
struct LogTimestampTests {
    @Test(
        "instants are formatted in UTC with truncated milliseconds",
        arguments: [
            (LogTimestamp(seconds: 0), "1970-01-01T00:00:00.000Z"),
            (LogTimestamp(seconds: 1_796_011_506, nanoseconds: 789_654_321), "2026-11-30T04:05:06.789Z"),
            (LogTimestamp(seconds: 1_835_481_599, nanoseconds: 999_999_999), "2028-02-29T23:59:59.999Z"),
            (LogTimestamp(seconds: 946_684_800, nanoseconds: 1_000_000), "2000-01-01T00:00:00.001Z"),
        ]
    )
    func formatting(time: LogTimestamp, expected: String) {
        #expect(time.rfc3339 == expected)
    }

    @Test("now has the fixed shape YYYY-MM-DDTHH:MM:SS.mmmZ and is after 2025")
    func now() {
        let text = Array(LogTimestamp.now().rfc3339.utf8)
        #expect(text.count == 24)
        let shape = Array("dddd-dd-ddTdd:dd:dd.dddZ".utf8)
        for (byte, expected) in zip(text, shape) {
            if expected == UInt8(ascii: "d") {
                #expect((UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte))
            } else {
                #expect(byte == expected)
            }
        }
        #expect(LogTimestamp.now().seconds > 1_735_689_600)
    }
}
