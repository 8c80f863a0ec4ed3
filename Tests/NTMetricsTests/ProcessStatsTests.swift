import Glibc
import Testing

@testable import NTMetrics

@Suite("ProcessStats reads a process's resource usage from /proc")
struct ProcessStatsTests {
    @Test("the test process's own numbers are plausible")
    func ownProcessIsPlausible() throws {
        let stats = try #require(ProcessStats.read(pid: getpid()))
        let now = Double(time(nil))
        #expect(stats.residentBytes > 1 << 20)
        #expect(stats.virtualBytes >= stats.residentBytes)
        #expect(stats.openFDs > 2)
        #expect(stats.cpuSeconds >= 0)
        #expect(stats.startTimeSeconds <= now + 1)
        #expect(stats.startTimeSeconds > now - 3600)
    }

    @Test("a process that does not exist has no stats")
    func missingProcessIsNil() {
        // pid_max is at most 2^22 on Linux, so this pid can never exist.
        #expect(ProcessStats.read(pid: Int32.max) == nil)
        #expect(ProcessStats.read(pid: 0) == nil)
        #expect(ProcessStats.read(pid: -1) == nil)
    }

    @Test("CPU time grows while the process works")
    func cpuTimeGrows() throws {
        let before = try #require(ProcessStats.read(pid: getpid())).cpuSeconds
        let deadline = time(nil) + 5
        var x: UInt64 = 1
        var after = before
        while after <= before, time(nil) < deadline {
            for i in 0..<1_000_000 { x = x &* 6364136223846793005 &+ UInt64(i) }
            after = try #require(ProcessStats.read(pid: getpid())).cpuSeconds
        }
        #expect(after > before, "x = \(x)")
    }

    @Test("another process is readable by pid while it runs, and gone once it has exited and been reaped")
    func childProcessLifecycle() throws {
        var pid: pid_t = 0
        let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("30"), nil]
        defer { arguments.forEach { free($0) } }
        #expect(posix_spawn(&pid, "/bin/sleep", nil, nil, arguments, environ) == 0)
        let child = try #require(ProcessStats.read(pid: pid))
        #expect(child.residentBytes > 0)
        #expect(child.openFDs >= 3)
        let own = try #require(ProcessStats.read(pid: getpid()))
        #expect(child.startTimeSeconds >= own.startTimeSeconds)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        #expect(ProcessStats.read(pid: pid) == nil)
    }

    @Test("the stat line is split at the last ')', so a command name with spaces and parentheses is harmless")
    func commWithParenthesesAndSpaces() throws {
        // Fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
        // cutime cstime priority nice threads itrealvalue starttime vsize rss …
        let line = "4242 (evil) 1 2 3 (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 "
            + "250 50 0 0 20 0 3 0 987654 123456789 321 18446744073709551615\n"
        let fields = try #require(StatFields(parsing: line))
        #expect(fields.userTicks == 250)
        #expect(fields.systemTicks == 50)
        #expect(fields.startTicks == 987654)
    }

    @Test("a truncated stat line is refused rather than misread")
    func truncatedStatLine() {
        #expect(StatFields(parsing: "4242 (sh) S 1 4242 4242 0 -1 4194560 100 0 0 0 250") == nil)
        #expect(StatFields(parsing: "no parenthesis at all") == nil)
    }

    @Test("statm gives total and resident pages")
    func statmFields() throws {
        let pages = try #require(ProcessStats.parseStatm("5000 1200 300 10 0 900 0\n"))
        #expect(pages.size == 5000)
        #expect(pages.resident == 1200)
        #expect(ProcessStats.parseStatm("") == nil)
    }
}
