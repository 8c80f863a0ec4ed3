/// A snapshot of one process's resource usage, read from Linux `/proc`.
///
/// These are the numbers behind the standard `process_*` metrics (see ``ProcessMetrics``). Every process of the
/// appliance reports its own snapshot; the supervisor may also read a child's by pid.
public struct ProcessStats: Sendable, Equatable {
    /// Resident set size in bytes (`/proc/PID/statm` resident pages × page size).
    public var residentBytes: UInt64
    /// Virtual memory size in bytes (`/proc/PID/statm` size pages × page size).
    public var virtualBytes: UInt64
    /// User plus system CPU time consumed so far, in seconds.
    public var cpuSeconds: Double
    /// Number of open file descriptors (entries of `/proc/PID/fd`).
    public var openFDs: Int
    /// When the process started, in Unix epoch seconds (boot time + start ticks ÷ clock ticks per second).
    public var startTimeSeconds: Double

    /// Creates a snapshot from known values, e.g. for tests or for numbers gathered elsewhere.
    public init(residentBytes: UInt64, virtualBytes: UInt64, cpuSeconds: Double, openFDs: Int, startTimeSeconds: Double) {
        self.residentBytes = residentBytes
        self.virtualBytes = virtualBytes
        self.cpuSeconds = cpuSeconds
        self.openFDs = openFDs
        self.startTimeSeconds = startTimeSeconds
    }

    /// Reads the current snapshot of process `pid`.
    ///
    /// - Returns: `nil` if the process does not exist (or exited while being read), or if its `/proc` entries
    ///   are not readable by this process (another user's process: `/proc/PID/fd` needs the same user).
    ///   Callers should treat `nil` as "no metrics this time", never as an error worth failing a scrape for.
    public static func read(pid: Int32) -> ProcessStats? {
        guard pid > 0 else { return nil }
        let directory = "/proc/\(pid)"
        guard let statText = ProcFS.readText("\(directory)/stat"),
            let stat = StatFields(parsing: statText),
            let statmText = ProcFS.readText("\(directory)/statm"),
            let pages = parseStatm(statmText),
            let openFDs = ProcFS.countEntries(inDirectory: "\(directory)/fd"),
            let bootTime = ProcFS.bootTimeSeconds
        else { return nil }
        let ticks = ProcFS.clockTicksPerSecond
        return ProcessStats(
            residentBytes: pages.resident * ProcFS.pageSize,
            virtualBytes: pages.size * ProcFS.pageSize,
            cpuSeconds: Double(stat.userTicks + stat.systemTicks) / ticks,
            openFDs: openFDs,
            startTimeSeconds: bootTime + Double(stat.startTicks) / ticks
        )
    }

    /// The two leading fields of `/proc/PID/statm`: total program size and resident set, both in pages.
    static func parseStatm(_ text: String) -> (size: UInt64, resident: UInt64)? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count >= 2, let size = UInt64(fields[0]), let resident = UInt64(fields[1]) else { return nil }
        return (size, resident)
    }
}

/// The fields of `/proc/PID/stat` that ``ProcessStats`` needs.
///
/// The second field, `comm`, is the executable name in parentheses and may itself contain spaces and
/// parentheses (a process can name itself `a) b (c`), so the fields are counted from the LAST `)` onwards.
struct StatFields: Equatable {
    /// `utime`, field 14: CPU time in user mode, in clock ticks.
    var userTicks: UInt64
    /// `stime`, field 15: CPU time in kernel mode, in clock ticks.
    var systemTicks: UInt64
    /// `starttime`, field 22: start time after boot, in clock ticks.
    var startTicks: UInt64

    /// Parses one `/proc/PID/stat` line; `nil` if it is malformed or truncated.
    init?(parsing text: String) {
        guard let closing = text.lastIndex(of: ")") else { return nil }
        // After ")" come fields 3 (state), 4 (ppid), … separated by single spaces.
        let rest = text[text.index(after: closing)...].split(whereSeparator: { $0 == " " || $0 == "\n" })
        func field(_ number: Int) -> UInt64? {
            let index = number - 3
            return index < rest.count ? UInt64(rest[index]) : nil
        }
        guard let user = field(14), let system = field(15), let start = field(22) else { return nil }
        self.userTicks = user
        self.systemTicks = system
        self.startTicks = start
    }
}
