import NTChat
#if canImport(Glibc)
import Glibc
import NTFiles
import NTSystem
#endif

/// One archive run (ADR 0011):
/// 1. lock the archive directory, remove leftovers of a crashed run, forget records of files that are gone;
/// 2. with `prune`, prune what earlier runs archived and left in the database, once its file verifies in full;
/// 3. in batches, oldest first: select conversations whose last activity is older than `after_days` and that are
///    not archived in their current state; write each to its UTC month's file (a new zstd frame after the file's
///    old bytes, in a temporary file); read the file back (hash, prefix hash, every new line parsed, counts and
///    ids); rename it into place with its manifest; record what went where;
/// 4. with `prune`, delete the batch's conversations in one transaction, except those that changed meanwhile.
///
/// A month whose existing file is damaged is skipped (the file left as it is) and reported when the run ends; any
/// other failure stops the run. Either way nothing is half-published and nothing is pruned that was not verified.
public struct ArchiveRunner: Sendable {
    public let repository: any ArchiveStateRepository
    public let settings: ArchiveSettings
    public var now: @Sendable () -> UTCTime = UTCTime.now
    public var shouldContinue: @Sendable () -> Bool = { true }
    public var hooks = ArchiveHooks()

    public init(repository: any ArchiveStateRepository, settings: ArchiveSettings) {
        self.repository = repository
        self.settings = settings
    }

    /// Runs once; never throws: the report says what happened.
    public func run() async -> ArchiveReport {
        let started = ContinuousClock.now
        var state = RunState()
        do {
            try await runThrowing(&state)
            if let problem = state.deferred { throw problem }
        } catch {
            state.report.ok = false
            switch error {
            case let error as ArchiveError:
                state.report.error = error.description
                state.report.reason = error.reason
            case let error as FileError:
                state.report.error = error.description
                state.report.reason = error.reason
            default:
                state.report.error = "\(error)"
                state.report.reason = "sqlite"
            }
        }
        state.report.damagedFiles = state.damaged.map(\.fileName).sorted()
        let elapsed = ContinuousClock.now - started
        state.report.durationSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return state.report
    }

    /// What one run has done so far, and what it had to leave out.
    struct RunState {
        var report = ArchiveReport(ok: true)
        /// Months whose existing file is damaged: this run writes nothing more to them (other months go on).
        var damaged: Set<ArchiveMonth> = []
        /// The first problem that did not stop the run (a damaged file); reported when the run ends.
        var deferred: ArchiveError?

        mutating func skip(_ month: ArchiveMonth, _ error: ArchiveError) {
            damaged.insert(month)
            if deferred == nil { deferred = error }
        }
    }

    private func runThrowing(_ state: inout RunState) async throws {
        guard settings.afterDays > 0 else { throw ArchiveError.disabled }
        let directory = settings.directory
        try FileOps.makeDirectories(directory)
        let lock: DirectoryLock
        do { lock = try DirectoryLock(directory: directory) } catch { throw ArchiveError.busy(directory: directory) }
        defer { lock.release() }
        for name in FileOps.list(directory) where name.hasPrefix(MonthFileWriter.temporaryPrefix) {
            FileOps.remove(directory + "/" + name)
        }
        let listing = FileOps.list(directory)
        // The lock file is in there, so an empty listing means the directory could not be read: forgetting every
        // record on that basis would write every archived conversation again.
        guard !listing.isEmpty else { throw ArchiveError.file(.io(operation: "list", path: directory, errno: errno)) }
        let files = listing.filter { ArchiveMonth(fileName: $0) != nil }
        state.report.forgotten = try await repository.forgetArchives(notIn: files)
        if settings.prune { try await pruneEarlier(&state) }

        let nowMs = now().unix * 1000
        let cutoff = nowMs - Int64(settings.afterDays) * ArchiveTime.dayMilliseconds
        // Text comparison in SQL, widened by a day for timestamps with an offset; each is checked exactly below.
        let widened = UTCTime(unix: (cutoff + ArchiveTime.dayMilliseconds) / 1000).iso8601
        var cursor: ArchiveCandidate?
        while true {
            guard shouldContinue() else { throw ArchiveError.cancelled }
            let candidates = try await repository.archiveCandidates(before: widened, after: cursor, limit: settings.batchSize)
            guard let last = candidates.last else { break }
            cursor = last
            let records = try await archiveBatch(candidates, cutoff: cutoff, state: &state)
            if settings.prune && !records.isEmpty {
                await hooks.beforePrune()
                let pruned = try await repository.pruneArchived(ids: records.map(\.conversationID), at: Identifiers.now())
                state.report.prunedConversations += pruned.count
                state.report.keptChanged += records.count - pruned.count
            }
            if candidates.count < settings.batchSize { break }
        }
    }

    /// Writes one batch to its month files; returns the records of what was written, verified and published.
    private func archiveBatch(_ candidates: [ArchiveCandidate], cutoff: Int64, state: inout RunState) async throws -> [ArchiveRecord] {
        var open: [ArchiveMonth: MonthFileWriter] = [:]
        var records: [ArchiveRecord] = []
        let exportedAt = Identifiers.now()
        do {
            var start = 0
            while start < candidates.count {
                guard shouldContinue() else { throw ArchiveError.cancelled }
                let page = Array(candidates[start..<min(candidates.count, start + 100)])
                start += page.count
                for archived in try await repository.exportConversations(ids: page.map(\.id)) {
                    // Changed since it was selected (newer now), or not old enough once offsets are counted.
                    guard let last = ArchiveTime.lastActivity(archived), last < cutoff else { continue }
                    // Candidates come in order of their last activity's text, which is within a day of the instant:
                    // a month ending more than a day before this one's text gets nothing more, so close it now.
                    let text = ArchiveFingerprint(archived).lastActivity
                    let wall = RFC3339.parse(text)?.wallClockMilliseconds ?? last
                    for (month, writer) in open where month.endUnixMilliseconds + ArchiveTime.dayMilliseconds <= wall {
                        open[month] = nil
                        records += try await publish(writer, state: &state)
                    }
                    let month = ArchiveMonth(unixMilliseconds: last)
                    guard !state.damaged.contains(month) else { continue }
                    let writer = try open[month] ?? MonthFileWriter(
                        directory: settings.directory, month: month, level: settings.zstdLevel, exportedAt: exportedAt
                    )
                    open[month] = writer
                    if try !writer.append(archived, limits: settings.recordLimits) { state.report.oversized += 1 }
                }
            }
            for month in open.keys.sorted() {
                guard let writer = open.removeValue(forKey: month) else { continue }
                records += try await publish(writer, state: &state)
            }
        } catch {
            for writer in open.values { writer.discard() }
            throw error
        }
        return records
    }
}
