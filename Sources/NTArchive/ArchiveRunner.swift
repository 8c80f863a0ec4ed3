import NTBackup
import NTChat

/// What an archive run needs to know (the `[archive]` keys, resolved).
public struct ArchiveSettings: Sendable {
    /// Where the month files go (created if missing).
    public var directory: String
    /// Conversations whose last activity is older than this many days are archived; 0 = none.
    public var afterDays: Int
    /// Delete verified, unchanged archived conversations from the database.
    public var prune: Bool
    /// zstd level of new frames.
    public var zstdLevel: Int32 = 3
    /// Conversations selected per batch: the unit of memory (their ids) and of one prune transaction.
    public var batchSize = 500

    public init(directory: String, afterDays: Int, prune: Bool) {
        self.directory = directory
        self.afterDays = afterDays
        self.prune = prune
    }
}

/// Points where tests step in: after a month file is written (to damage it) and before a prune (to race it).
public struct ArchiveHooks: Sendable {
    public var afterWrite: @Sendable (_ tempPath: String) -> Void = { _ in }
    public var beforePrune: @Sendable () async -> Void = {}
    public init() {}
}

/// One archive run (ADR 0009):
/// 1. lock the archive directory, remove leftovers of a crashed run, forget records of files that are gone;
/// 2. with `prune`, prune what earlier runs archived and left in the database, once its file verifies in full;
/// 3. in batches, oldest first: select conversations whose last activity is older than `after_days` and that are
///    not archived in their current state; write each to its UTC month's file (a new zstd frame after the file's
///    old bytes, in a temporary file); read the file back (hash, prefix hash, every new line parsed, counts and
///    ids); rename it into place with its manifest; record what went where;
/// 4. with `prune`, delete the batch's conversations in one transaction, except those that changed meanwhile.
///
/// A failure stops the run with nothing half-published and nothing pruned that was not verified.
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
            case let error as BackupError:
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
        for name in FileOps.list(directory) where name.hasPrefix(BackupName.temporaryPrefix) {
            FileOps.remove(directory + "/" + name)
        }
        let files = FileOps.list(directory).filter { ArchiveMonth(fileName: $0) != nil }
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
                    let wall = ArchiveTime.wallClockMilliseconds(text) ?? last
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
                    try writer.append(archived)
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

    /// Ends a month's new frame, reads the file back, and publishes it only if it holds exactly what it should.
    /// A month whose existing file is damaged is left out of the rest of the run (and the file left as it is).
    private func publish(_ writer: MonthFileWriter, state: inout RunState) async throws -> [ArchiveRecord] {
        let name = writer.month.fileName
        let manifest: ArchiveManifest
        do {
            let previous: (conversations: Int, messages: Int, frames: Int)
            do {
                previous = try previousContents(writer)
            } catch let error as ArchiveError {
                guard case .damaged = error else { throw error }
                writer.discard()
                state.skip(writer.month, error)
                return []
            }
            let written = try writer.finish()
            hooks.afterWrite(writer.tempPath)
            let back = try ArchiveReadBack.read(writer.tempPath, decodeFrom: writer.previousBytes)
            func require(_ condition: Bool, _ problem: String) throws {
                if !condition { throw ArchiveError.verification(file: name, problem: problem) }
            }
            try require(back.bytes == written.bytes && back.sha256 == written.sha256, "the file read back is not the file written (size or SHA-256)")
            try require(back.prefixSHA256 == writer.previousSHA256, "the copy of the earlier conversations differs from the old file")
            try require(back.headers == 1, "expected one export header in the new frame, found \(back.headers)")
            try require(back.ids == writer.added.map(\.id), "the new frame holds \(back.conversations) conversations, \(writer.added.count) were written")
            try require(back.messages == writer.addedMessages, "the new frame holds \(back.messages) messages, \(writer.addedMessages) were written")
            manifest = ArchiveManifest(
                file: name, sha256: written.sha256, bytes: written.bytes, conversations: previous.conversations + back.conversations,
                messages: previous.messages + back.messages, frames: previous.frames + 1, updatedAt: Identifiers.now(),
                format: ArchiveFormat.name, version: ArchiveFormat.version
            )
            try writer.publish(manifest: manifest)
        } catch {
            writer.discard()
            if let error = error as? BackupError { throw ArchiveError.file(error) }
            throw error
        }
        let archivedAt = Identifiers.now()
        let records = writer.added.map {
            ArchiveRecord(conversationID: $0.id, fingerprint: $0.fingerprint, file: name, archivedAt: archivedAt)
        }
        try await repository.recordArchived(records)
        state.report.archivedConversations += records.count
        state.report.archivedMessages += writer.addedMessages
        state.report.files.removeAll { $0.file == name }
        state.report.files.append(.init(file: name, added: records.count, conversations: manifest.conversations, bytes: manifest.bytes, sha256: manifest.sha256))
        state.report.files.sort { $0.file < $1.file }
        return records
    }

    /// What the month file held before this run: its manifest's counts when the manifest matches the bytes that
    /// were copied, else a full read of the old file (a crash between the two renames leaves a stale manifest).
    /// A file that cannot be read through is damaged: the run stops and the file stays as it is.
    private func previousContents(_ writer: MonthFileWriter) throws -> (conversations: Int, messages: Int, frames: Int) {
        guard writer.previousBytes > 0 else { return (0, 0, 0) }
        if let manifest = ArchiveManifest.read(of: writer.finalPath), manifest.bytes == writer.previousBytes,
           manifest.sha256 == writer.previousSHA256 {
            return (manifest.conversations, manifest.messages, manifest.frames)
        }
        do {
            let old = try ArchiveReadBack.read(writer.finalPath)
            guard old.sha256 == writer.previousSHA256 else {
                throw ArchiveError.damaged(file: writer.month.fileName, problem: "it changed while it was being copied")
            }
            return (old.conversations, old.messages, old.headers)
        } catch ArchiveError.verification(_, let problem) {
            throw ArchiveError.damaged(file: writer.month.fileName, problem: problem)
        }
    }

    /// Prunes conversations archived earlier (with `prune` off then, or before a failure) that are still unchanged,
    /// file by file, each file first read in full and checked against its manifest. A file that does not verify
    /// keeps its conversations in the database and is reported; the others go on.
    private func pruneEarlier(_ state: inout RunState) async throws {
        let pending = try await repository.prunableArchives()
        guard !pending.isEmpty else { return }
        var ids: [String] = []
        for (file, candidates) in pending.sorted(by: { $0.key < $1.key }) {
            guard shouldContinue() else { throw ArchiveError.cancelled }
            do {
                ids += try verifiedIDs(file, among: candidates)
            } catch let error as ArchiveError {
                guard let month = ArchiveMonth(fileName: file) else { throw error }
                state.skip(month, error)
            }
        }
        guard !ids.isEmpty else { return }
        await hooks.beforePrune()
        var start = 0
        while start < ids.count {
            let batch = Array(ids[start..<min(ids.count, start + settings.batchSize)])
            start += batch.count
            let pruned = try await repository.pruneArchived(ids: batch, at: Identifiers.now())
            state.report.prunedConversations += pruned.count
            state.report.keptChanged += batch.count - pruned.count
        }
    }

    /// The `candidates` that the month file `file` holds, after reading all of it against its manifest.
    private func verifiedIDs(_ file: String, among candidates: [String]) throws -> [String] {
        let path = settings.directory + "/" + file
        guard let manifest = ArchiveManifest.read(of: path) else { throw ArchiveError.damaged(file: file, problem: "no manifest") }
        let back: ArchiveReadBack
        do {
            back = try ArchiveReadBack.read(path)
        } catch ArchiveError.verification(_, let problem) {
            throw ArchiveError.damaged(file: file, problem: problem)
        }
        guard back.sha256 == manifest.sha256, back.bytes == manifest.bytes, back.conversations == manifest.conversations,
              back.messages == manifest.messages else {
            throw ArchiveError.damaged(file: file, problem: "it does not match its manifest (size, SHA-256 or counts)")
        }
        let inFile = Set(back.ids)
        return candidates.filter { inFile.contains($0) }
    }
}
